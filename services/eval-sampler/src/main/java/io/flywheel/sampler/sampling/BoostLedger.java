package io.flywheel.sampler.sampling;

import java.util.Optional;

/**
 * Where the boost window keeps its state: remembered completions and pending feedback, each by
 * {@link CompletionRef}, each with an expiry in stream time. In the service this is a pair of
 * changelogged state stores ({@code StoreBoostLedger}); the tests keep it in maps.
 */
public interface BoostLedger<C, F> {

    Optional<RememberedCompletion<C>> completion(CompletionRef ref);

    /** Inserts or replaces. */
    void putCompletion(RememberedCompletion<C> completion);

    Optional<PendingFeedback<F>> pending(CompletionRef ref);

    /** Inserts or replaces. */
    void putPending(PendingFeedback<F> feedback);

    void removePending(CompletionRef ref);

    /** Removes every entry with {@code expiresAtMs <= nowMs}. */
    Expired expireUntil(long nowMs);

    /** What {@link #expireUntil} removed; pending feedback removed this way never met its completion. */
    record Expired(long completions, long unmatchedFeedback) {
    }

    long completionCount();

    long pendingCount();
}
