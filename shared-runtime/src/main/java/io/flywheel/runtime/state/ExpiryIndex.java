package io.flywheel.runtime.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store of "this key expires at t" entries ordered by t, so expired state is found with one
 * range scan up to the cutoff instead of a walk over the whole store. Index key: the expiry time
 * as 19 zero-padded digits, a NUL, then the key of the state it points at.
 *
 * <p>The work is bounded and keeps pace with any input rate: a punctuation's {@link #sweep}
 * expires at most {@link #SWEEP_BATCH} entries; when more were due, every record processed after
 * it expires up to {@link #CATCH_UP_BATCH} more ({@link #catchUp}) until a scan finds the due
 * range empty. A record adds at most one entry, so the backlog shrinks whatever the rate.
 */
public final class ExpiryIndex {

    /** Entries one punctuation expires at most (one scan, one short pause of the stream thread). */
    public static final int SWEEP_BATCH = 500;
    /** Entries expired per processed record while a sweep left due entries behind: more than a record adds. */
    public static final int CATCH_UP_BATCH = 8;
    static final byte[] PRESENT = new byte[0];
    private static final int TIME_DIGITS = 19;

    private final KeyValueStore<String, byte[]> store;
    /**
     * Every entry below this key is gone; scans start here, never over the deleted head of the
     * index (RocksDB steps over every tombstone until compaction).
     */
    private String scannedFrom = pad(0);
    private boolean behind;

    public ExpiryIndex(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    public void schedule(String stateKey, long expiresAtMs) {
        String key = key(expiresAtMs, stateKey);
        if (key.compareTo(scannedFrom) < 0) {
            scannedFrom = key;
        }
        store.put(key, PRESENT);
    }

    /** For a punctuation: hands up to {@link #SWEEP_BATCH} state keys due at or before {@code nowMs} to {@code expire}, oldest first. */
    public int sweep(long nowMs, Consumer<String> expire) {
        return expireDue(nowMs, SWEEP_BATCH, expire);
    }

    /** For each processed record: while the last sweep left due entries behind, expires up to {@link #CATCH_UP_BATCH} more. */
    public int catchUp(long nowMs, Consumer<String> expire) {
        return behind ? expireDue(nowMs, CATCH_UP_BATCH, expire) : 0;
    }

    /** True while due entries are known to remain after the last scan. */
    public boolean behind() {
        return behind;
    }

    private int expireDue(long nowMs, int limit, Consumer<String> expire) {
        // Every key of time t starts with pad(t) + NUL, which sorts below pad(t) + "\u0001".
        String through = pad(nowMs) + "\u0001";
        if (through.compareTo(scannedFrom) <= 0) {
            behind = false;
            return 0;
        }
        List<String> due = new ArrayList<>(Math.min(limit + 1, 64));
        try (KeyValueIterator<String, byte[]> entries = store.range(scannedFrom, through)) {
            while (entries.hasNext() && due.size() <= limit) {
                KeyValue<String, byte[]> entry = entries.next();
                due.add(entry.key);
            }
        }
        behind = due.size() > limit;
        int expired = Math.min(limit, due.size());
        if (expired == 0) {
            return 0;
        }
        List<String> batch = due.subList(0, expired);
        batch.forEach(store::delete);
        // Moved on before the expiries run, so whatever they schedule behind it lowers it again.
        scannedFrom = batch.get(expired - 1);
        batch.forEach(indexKey -> expire.accept(indexKey.substring(TIME_DIGITS + 1)));
        return expired;
    }

    /** How often (in stream time) state kept for {@code retention} is swept: a tenth of it, 1 s to 1 min. */
    public static Duration sweepInterval(Duration retention) {
        long tenth = retention.toMillis() / 10;
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, tenth)));
    }

    static String key(long expiresAtMs, String stateKey) {
        return pad(expiresAtMs) + '\u0000' + stateKey;
    }

    /** The time as 19 zero-padded digits (negative times as 0): text order is time order. */
    public static String pad(long ms) {
        String digits = Long.toString(Math.max(0, ms));
        return "0".repeat(TIME_DIGITS - digits.length()) + digits;
    }
}
