package io.flywheel.safety.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store of "this key expires at t" entries ordered by t, so a punctuator removes expired state
 * with one range scan instead of a walk over the whole store. Index key: the expiry time as 19
 * zero-padded digits, a NUL, then the key of the state it points at.
 */
final class ExpiryIndex {

    static final byte[] PRESENT = new byte[0];
    private static final int TIME_DIGITS = 19;

    private final KeyValueStore<String, byte[]> store;

    ExpiryIndex(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    void schedule(String stateKey, long expiresAtMs) {
        store.put(key(expiresAtMs, stateKey), PRESENT);
    }

    /** A due entry: its own key (to delete once handled) and the state key it points at. */
    record Due(String indexKey, String stateKey) {
    }

    /** Up to {@code limit} entries with an expiry time at or before {@code nowMs}, oldest first. */
    List<Due> due(long nowMs, int limit) {
        List<Due> due = new ArrayList<>();
        // Every key of time t starts with pad(t) + NUL, which sorts below pad(t) + "\u0001".
        try (KeyValueIterator<String, byte[]> entries = store.range(pad(0), pad(nowMs) + "\u0001")) {
            while (entries.hasNext() && due.size() < limit) {
                KeyValue<String, byte[]> entry = entries.next();
                due.add(new Due(entry.key, entry.key.substring(TIME_DIGITS + 1)));
            }
        }
        return due;
    }

    void remove(Due due) {
        store.delete(due.indexKey());
    }

    static String key(long expiresAtMs, String stateKey) {
        return pad(expiresAtMs) + '\u0000' + stateKey;
    }

    static String pad(long ms) {
        String digits = Long.toString(Math.max(0, ms));
        return "0".repeat(TIME_DIGITS - digits.length()) + digits;
    }
}
