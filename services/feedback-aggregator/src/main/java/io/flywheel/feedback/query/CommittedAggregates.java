package io.flywheel.feedback.query;

import io.flywheel.events.v1.FeedbackAggregate;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The latest committed all-time value of each key, with the offset it was read at, and the
 * watchers of each key. A value is delivered only when its offset is past the one already held
 * for the key (a key lives in one partition, so offsets order its versions): a re-read after a
 * reconnect never sends a watcher backwards or repeats a version. A key's entry in the watcher
 * map goes when its last watcher leaves.
 *
 * <p>Memory: one value per all-time key (the number of all-time entries in the aggregates store),
 * plus one entry per watched key.
 */
final class CommittedAggregates {

    /** One committed value of a key; the first a watcher gets is its snapshot. */
    record Change(FeedbackAggregate aggregate, boolean snapshot) {
    }

    private record Version(FeedbackAggregate value, long offset) {
    }

    private final Map<String, Version> latest = new ConcurrentHashMap<>();
    private final Map<String, Set<MultiEmitter<? super Change>>> watchers = new ConcurrentHashMap<>();

    /** Takes the value of {@code key} read at {@code offset}; returns false (and sends nothing) when it is not newer. */
    boolean apply(String key, long offset, FeedbackAggregate value) {
        boolean[] newer = {false};
        // compute() holds the key's lock: delivery is ordered with watchers arriving and leaving.
        watchers.compute(key, (k, set) -> {
            Version held = latest.get(k);
            if (held != null && held.offset() >= offset) {
                return set;
            }
            latest.put(k, new Version(value, offset));
            newer[0] = true;
            if (set != null) {
                set.forEach(emitter -> emitter.emit(new Change(value, held == null)));
            }
            return set;
        });
        return newer[0];
    }

    /** The committed value of {@code key} now (if any) as the snapshot, then every newer committed value. */
    Multi<Change> watch(String key) {
        return Multi.createFrom().emitter(emitter -> {
            watchers.compute(key, (k, set) -> {
                Set<MultiEmitter<? super Change>> watching = set == null ? new CopyOnWriteArraySet<>() : set;
                watching.add(emitter);
                Version held = latest.get(k);
                if (held != null) {
                    emitter.emit(new Change(held.value(), true));
                }
                return watching;
            });
            emitter.onTermination(() -> watchers.computeIfPresent(key, (k, set) -> {
                set.remove(emitter);
                return set.isEmpty() ? null : set;
            }));
        });
    }

    Optional<FeedbackAggregate> latest(String key) {
        return Optional.ofNullable(latest.get(key)).map(Version::value);
    }

    int watchedKeys() {
        return watchers.size();
    }

    void completeAll() {
        watchers.values().forEach(set -> set.forEach(MultiEmitter::complete));
    }
}
