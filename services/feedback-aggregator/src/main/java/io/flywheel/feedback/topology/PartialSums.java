package io.flywheel.feedback.topology;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.feedback.tally.FeedbackTally;
import io.flywheel.model.AggregateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One partition's counter changes since the last flush, summed per (model key, cohort bucket)
 * in mutable builders. Each event touches one sum: its bucket's, or, when the bucket is closed,
 * the model key's late sum. The all-time partial is derived at flush as the model key's sums
 * added together, so an event costs one sum update instead of two.
 *
 * <p>Every update is also put in the changelogged store (one small cached write: Kafka Streams
 * commits, e.g. on a rebalance, without running punctuators first, so what was consumed must be
 * in the store by then). Store keys are {@link #PREFIX} + the aggregate key. Entries without the
 * prefix were written by the earlier layout, where the all-time entry held its buckets' counts
 * too: they are forwarded unchanged at the next flush and never added to the sums.
 */
final class PartialSums {

    /** Marks this layout's store keys; never the first character of an encoded aggregate key (URL-encoded parts). */
    static final String PREFIX = "#";

    private record Slot(String modelName, String modelVersion, String promptVersion, long bucketStartMs) {
    }

    private static final long LATE = Long.MIN_VALUE;

    private final KeyValueStore<String, FeedbackAggregate> store;
    private final AggregatorSettings settings;
    private final Map<Slot, Sum> sums = new HashMap<>();
    private final List<KeyValue<String, FeedbackAggregate>> earlierLayout = new ArrayList<>();

    private static final class Sum {
        final String storeKey;
        final AggregateKey key;
        final FeedbackAggregate.Builder counters;

        Sum(AggregateKey key, FeedbackAggregate.Builder counters) {
            this.key = key;
            this.storeKey = PREFIX + key.encode();
            this.counters = counters;
        }
    }

    /** Loads what the store holds (after a restart or a move, the restored sums). */
    PartialSums(KeyValueStore<String, FeedbackAggregate> store, AggregatorSettings settings) {
        this.store = store;
        this.settings = settings;
        try (KeyValueIterator<String, FeedbackAggregate> all = store.all()) {
            all.forEachRemaining(entry -> {
                if (entry.key.startsWith(PREFIX)) {
                    AggregateKey key = AggregateKey.decode(entry.key.substring(PREFIX.length()));
                    Slot slot = new Slot(key.modelName(), key.modelVersion(), key.promptVersion(),
                            key.bucketStart().map(Instant::toEpochMilli).orElse(LATE));
                    sums.put(slot, new Sum(key, entry.value.toBuilder()));
                } else {
                    earlierLayout.add(entry);
                }
            });
        }
    }

    /** Adds a delta counted in the bucket starting at {@code bucketStartMs} (and, at flush, in all-time). */
    void addToBucket(ModelRef model, String promptVersion, long bucketStartMs, FeedbackAggregate delta) {
        Sum sum = sums.computeIfAbsent(new Slot(model.getName(), model.getVersion(), promptVersion, bucketStartMs),
                slot -> new Sum(AggregateKey.allTime(model.getName(), model.getVersion(), promptVersion).bucket(Instant.ofEpochMilli(bucketStartMs)),
                        FeedbackTally.zero(model, promptVersion, settings.buckets().bucket(bucketStartMs))));
        FeedbackTally.add(sum.counters, delta);
        store.put(sum.storeKey, sum.counters.build());
    }

    /** Adds a delta whose bucket is closed: all-time only, counted as too late. */
    void addLate(ModelRef model, String promptVersion, FeedbackAggregate delta) {
        Sum sum = sums.computeIfAbsent(new Slot(model.getName(), model.getVersion(), promptVersion, LATE),
                slot -> new Sum(AggregateKey.allTime(model.getName(), model.getVersion(), promptVersion),
                        FeedbackTally.zero(model, promptVersion, null)));
        FeedbackTally.add(sum.counters, delta);
        sum.counters.setTooLate(sum.counters.getTooLate() + 1);
        store.put(sum.storeKey, sum.counters.build());
    }

    /**
     * Hands every non-zero partial to {@code forward} keyed by its model key, in aggregate-key
     * order (each model key's all-time partial, then its buckets oldest first), and starts over.
     */
    void flush(BiConsumer<String, FeedbackAggregate> forward) {
        for (KeyValue<String, FeedbackAggregate> entry : earlierLayout) {
            store.delete(entry.key);
            if (!FeedbackTally.isZero(entry.value)) {
                forward.accept(AggregateKey.decode(entry.key).modelKey().encode(), entry.value);
            }
        }
        earlierLayout.clear();
        TreeMap<String, FeedbackAggregate.Builder> partials = new TreeMap<>();
        for (Sum sum : sums.values()) {
            store.delete(sum.storeKey);
            FeedbackAggregate counters = sum.counters.build();
            AggregateKey modelKey = sum.key.modelKey();
            FeedbackTally.add(partials.computeIfAbsent(modelKey.encode(),
                    key -> FeedbackTally.zero(counters.getModel(), counters.getPromptVersion(), null)), counters);
            if (!sum.key.isAllTime()) {
                partials.put(sum.key.encode(), sum.counters);
            }
        }
        sums.clear();
        partials.forEach((key, partial) -> {
            FeedbackAggregate built = partial.build();
            if (!FeedbackTally.isZero(built)) {
                forward.accept(AggregateKey.decode(key).modelKey().encode(), built);
            }
        });
    }
}
