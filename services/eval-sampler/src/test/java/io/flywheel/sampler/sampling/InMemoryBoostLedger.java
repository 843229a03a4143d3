package io.flywheel.sampler.sampling;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.LinkedHashSet;

/** A {@link BoostLedger} on the heap, with an expiry index; not thread-safe. */
public final class InMemoryBoostLedger<C, F> implements BoostLedger<C, F> {

    private final Map<CompletionRef, RememberedCompletion<C>> completions = new HashMap<>();
    private final Map<CompletionRef, PendingFeedback<F>> pending = new HashMap<>();
    private final NavigableMap<Long, LinkedHashSet<CompletionRef>> completionExpiry = new TreeMap<>();
    private final NavigableMap<Long, LinkedHashSet<CompletionRef>> pendingExpiry = new TreeMap<>();

    @Override
    public Optional<RememberedCompletion<C>> completion(CompletionRef ref) {
        return Optional.ofNullable(completions.get(ref));
    }

    @Override
    public void putCompletion(RememberedCompletion<C> completion) {
        RememberedCompletion<C> old = completions.put(completion.ref(), completion);
        if (old != null) {
            unindex(completionExpiry, old.expiresAtMs(), old.ref());
        }
        completionExpiry.computeIfAbsent(completion.expiresAtMs(), t -> new LinkedHashSet<>()).add(completion.ref());
    }

    @Override
    public Optional<PendingFeedback<F>> pending(CompletionRef ref) {
        return Optional.ofNullable(pending.get(ref));
    }

    @Override
    public void putPending(PendingFeedback<F> feedback) {
        PendingFeedback<F> old = pending.put(feedback.ref(), feedback);
        if (old != null) {
            unindex(pendingExpiry, old.expiresAtMs(), old.ref());
        }
        pendingExpiry.computeIfAbsent(feedback.expiresAtMs(), t -> new LinkedHashSet<>()).add(feedback.ref());
    }

    @Override
    public void removePending(CompletionRef ref) {
        PendingFeedback<F> old = pending.remove(ref);
        if (old != null) {
            unindex(pendingExpiry, old.expiresAtMs(), ref);
        }
    }

    @Override
    public Expired expireUntil(long nowMs) {
        long completionsRemoved = drain(completionExpiry, nowMs, completions);
        long pendingRemoved = drain(pendingExpiry, nowMs, pending);
        return new Expired(completionsRemoved, pendingRemoved);
    }

    @Override
    public long completionCount() {
        return completions.size();
    }

    @Override
    public long pendingCount() {
        return pending.size();
    }

    private static long drain(NavigableMap<Long, LinkedHashSet<CompletionRef>> index, long nowMs, Map<CompletionRef, ?> entries) {
        long removed = 0;
        while (!index.isEmpty() && index.firstKey() <= nowMs) {
            for (CompletionRef ref : index.pollFirstEntry().getValue()) {
                if (entries.remove(ref) != null) {
                    removed++;
                }
            }
        }
        return removed;
    }

    private static void unindex(NavigableMap<Long, LinkedHashSet<CompletionRef>> index, long expiresAtMs, CompletionRef ref) {
        LinkedHashSet<CompletionRef> refs = index.get(expiresAtMs);
        if (refs != null) {
            refs.remove(ref);
            if (refs.isEmpty()) {
                index.remove(expiresAtMs);
            }
        }
    }
}
