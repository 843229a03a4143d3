package io.flywheel.sampler.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.sampling.BoostLedger;
import io.flywheel.sampler.sampling.CompletionRef;
import io.flywheel.sampler.sampling.PendingFeedback;
import io.flywheel.sampler.sampling.RememberedCompletion;
import io.flywheel.state.v1.PendingFeedbackState;
import io.flywheel.state.v1.RememberedCompletionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The boost window's state in three changelogged stores: remembered completions and held feedback
 * by {@link SamplerStateCodec#refKey}, and an expiry index ordered by expiry time, so expiring
 * reads only what is due. Entry counts live in the task state (exact, for the state bound).
 */
final class StoreBoostLedger implements BoostLedger<ScreenedCompletion, FeedbackEvent> {

    /** The stores behind one task's ledger. */
    record Stores(KeyValueStore<String, RememberedCompletionState> completions,
                  KeyValueStore<String, PendingFeedbackState> pending,
                  KeyValueStore<String, String> expiry) {
    }

    private static final char COMPLETION = 'c';
    private static final char PENDING = 'p';

    private final Stores stores;
    private final StoreSamplerMemory memory;
    /**
     * Everything due at or before this time is gone. Scans start just after it, never over the
     * deleted head of the index (RocksDB would step over every tombstone); per task instance.
     */
    private long expiredThroughMs = Long.MIN_VALUE;
    /**
     * The completion read last and its stored state (null: none stored). A new completion and a
     * boost are both a read of the completion, then a write that needs its old state: the write
     * takes it from here instead of reading the store again. Forgotten by every change to the store.
     */
    private String lastReadKey;
    private RememberedCompletionState lastReadState;

    StoreBoostLedger(Stores stores, StoreSamplerMemory memory) {
        this.stores = stores;
        this.memory = memory;
    }

    @Override
    public Optional<RememberedCompletion<ScreenedCompletion>> completion(CompletionRef ref) {
        String key = SamplerStateCodec.refKey(ref);
        RememberedCompletionState state = stores.completions().get(key);
        lastReadKey = key;
        lastReadState = state;
        return Optional.ofNullable(state).map(stored -> SamplerStateCodec.completion(ref, stored));
    }

    @Override
    public void putCompletion(RememberedCompletion<ScreenedCompletion> completion) {
        String key = SamplerStateCodec.refKey(completion.ref());
        RememberedCompletionState old = key.equals(lastReadKey) ? lastReadState : stores.completions().get(key);
        lastReadKey = null;
        lastReadState = null;
        stores.completions().put(key, SamplerStateCodec.completion(completion));
        if (old == null) {
            adjustCounts(1, 0);
        } else if (old.getExpiresAtMs() != completion.expiresAtMs()) {
            stores.expiry().delete(indexKey(old.getExpiresAtMs(), COMPLETION, key));
        }
        if (old == null || old.getExpiresAtMs() != completion.expiresAtMs()) {
            index(completion.expiresAtMs(), COMPLETION, key);
        }
    }

    @Override
    public Optional<PendingFeedback<FeedbackEvent>> pending(CompletionRef ref) {
        return Optional.ofNullable(stores.pending().get(SamplerStateCodec.refKey(ref)))
                .map(state -> SamplerStateCodec.pending(ref, state));
    }

    @Override
    public void putPending(PendingFeedback<FeedbackEvent> feedback) {
        String key = SamplerStateCodec.refKey(feedback.ref());
        PendingFeedbackState old = stores.pending().get(key);
        stores.pending().put(key, SamplerStateCodec.pending(feedback));
        if (old == null) {
            adjustCounts(0, 1);
        } else if (old.getExpiresAtMs() != feedback.expiresAtMs()) {
            stores.expiry().delete(indexKey(old.getExpiresAtMs(), PENDING, key));
        }
        if (old == null || old.getExpiresAtMs() != feedback.expiresAtMs()) {
            index(feedback.expiresAtMs(), PENDING, key);
        }
    }

    @Override
    public void removePending(CompletionRef ref) {
        String key = SamplerStateCodec.refKey(ref);
        PendingFeedbackState old = stores.pending().delete(key);
        if (old != null) {
            stores.expiry().delete(indexKey(old.getExpiresAtMs(), PENDING, key));
            adjustCounts(0, -1);
        }
    }

    @Override
    public Expired expireUntil(long nowMs) {
        if (nowMs <= expiredThroughMs) {
            return new Expired(0, 0);
        }
        String from = expiredThroughMs == Long.MIN_VALUE ? null : timePrefix(expiredThroughMs + 1);
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = stores.expiry().range(from, timePrefix(nowMs) + '\uffff')) {
            while (entries.hasNext()) {
                KeyValue<String, String> entry = entries.next();
                due.add(entry.key);
            }
        }
        long completions = 0;
        long pending = 0;
        lastReadKey = null;
        lastReadState = null;
        for (String indexKey : due) {
            stores.expiry().delete(indexKey);
            String key = indexKey.substring(TIME_PREFIX_LENGTH + 1);
            if (indexKey.charAt(TIME_PREFIX_LENGTH) == COMPLETION) {
                completions += stores.completions().delete(key) != null ? 1 : 0;
            } else {
                pending += stores.pending().delete(key) != null ? 1 : 0;
            }
        }
        expiredThroughMs = nowMs;
        if (completions != 0 || pending != 0) {
            adjustCounts(-completions, -pending);
        }
        return new Expired(completions, pending);
    }

    @Override
    public long completionCount() {
        return memory.task().getRememberedCompletions();
    }

    @Override
    public long pendingCount() {
        return memory.task().getHeldFeedback();
    }

    private void index(long expiresAtMs, char kind, String key) {
        // The domain only remembers what expires after its stream time; should anything older
        // arrive, the next scan must still reach it.
        if (expiresAtMs <= expiredThroughMs) {
            expiredThroughMs = expiresAtMs - 1;
        }
        stores.expiry().put(indexKey(expiresAtMs, kind, key), "");
    }

    private void adjustCounts(long completions, long pending) {
        var task = memory.task();
        memory.update(task.toBuilder()
                .setRememberedCompletions(task.getRememberedCompletions() + completions)
                .setHeldFeedback(task.getHeldFeedback() + pending)
                .build());
    }

    private static final int TIME_PREFIX_LENGTH = 16;

    /** Sixteen hex digits of the time with its sign bit flipped: text order is time order, negatives included. */
    static String timePrefix(long ms) {
        String hex = Long.toHexString(ms ^ Long.MIN_VALUE);
        return "0".repeat(TIME_PREFIX_LENGTH - hex.length()) + hex;
    }

    static String indexKey(long expiresAtMs, char kind, String key) {
        return timePrefix(expiresAtMs) + kind + key;
    }
}
