package io.flywheel.feedback.query;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.runtime.query.QueryErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest committed all-time value of each key, with the offset it was read at, and the
 * watchers of each key. A value is delivered only when its offset is past the one already held
 * for the key (a key lives in one partition, so offsets order its versions): a re-read after a
 * reconnect never sends a watcher backwards or repeats a version. A key's entry in the watcher
 * map goes when its last watcher leaves.
 *
 * <p>A new watcher gets nothing until the feed has read to the end of the topic as it stood when
 * the watch began ({@link #caughtUp}): a feed that lags (an instance just started, or a slow poll)
 * would otherwise hand out a snapshot older than what another instance's stream already
 * delivered, and a client that reconnects would see its key go backwards. A watcher that waits
 * longer than the patience given to {@link #failWaiting} gets UNAVAILABLE with a retry hint.
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

    /** A watch: its emitter, when it began (in feed read marks and in time), and whether it has had its snapshot. */
    private static final class Watcher {
        final MultiEmitter<? super Change> emitter;
        final long mark;
        final long startedNanos = System.nanoTime();
        volatile boolean ready;

        Watcher(MultiEmitter<? super Change> emitter, long mark) {
            this.emitter = emitter;
            this.mark = mark;
        }
    }

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Map<String, Version> latest = new ConcurrentHashMap<>();
    private final Map<String, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    /** Counts the feed's reads: a watch that began before read N started is served once read N found no lag. */
    private final AtomicLong reads = new AtomicLong();

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
                set.stream().filter(w -> w.ready).forEach(w -> w.emitter.emit(new Change(value, held == null)));
            }
            return set;
        });
        return newer[0];
    }

    /** Called by the feed before each read; pass the result to {@link #caughtUp} if that read ends with no lag. */
    long startRead() {
        return reads.incrementAndGet();
    }

    /** The read numbered {@code read} left no lag: every watch that began before it gets its snapshot now. */
    void caughtUp(long read) {
        watchers.forEach((key, set) -> watchers.computeIfPresent(key, (k, current) -> {
            Version held = latest.get(k);
            current.stream().filter(w -> !w.ready && w.mark < read).forEach(w -> {
                w.ready = true;
                if (held != null) {
                    w.emitter.emit(new Change(held.value(), true));
                }
            });
            return current;
        }));
    }

    /** Watches still without a snapshot after {@code patience} end with UNAVAILABLE and a retry hint. */
    void failWaiting(Duration patience) {
        long now = System.nanoTime();
        watchers.values().forEach(set -> set.stream()
                .filter(w -> !w.ready && now - w.startedNanos > patience.toNanos())
                .forEach(w -> w.emitter.fail(QueryErrors.unavailable(
                        "the change feed of this instance is catching up with feedback.aggregates; retry", RETRY_AFTER))));
    }

    /** The committed value of {@code key} as the snapshot, once the feed has caught up, then every newer committed value. */
    Multi<Change> watch(String key) {
        return Multi.createFrom().emitter(emitter -> {
            Watcher watcher = new Watcher(emitter, reads.get());
            watchers.compute(key, (k, set) -> {
                Set<Watcher> watching = set == null ? new CopyOnWriteArraySet<>() : set;
                watching.add(watcher);
                return watching;
            });
            emitter.onTermination(() -> watchers.computeIfPresent(key, (k, set) -> {
                set.remove(watcher);
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
        watchers.values().forEach(set -> set.forEach(w -> w.emitter.complete()));
    }
}
