package io.flywheel.feedback.topology;

import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import io.flywheel.feedback.tally.FeedbackTally;
import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.model.AggregateKey;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.runtime.state.StateWalk;
import io.flywheel.state.v1.DriftState;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds partial sums into the aggregates of their model key (all-time and cohort buckets live in
 * the same task), emits each updated aggregate, and checks the newest bucket for drift against
 * the previous K buckets.
 *
 * <p>A bucket's aggregate leaves the store once stream time passes its removal time (see
 * {@link AggregatorSettings#bucketRemovedAtMs}); the all-time aggregate stays. A partial that
 * reaches a bucket past that time is not added to it (it would bring the row back holding only
 * itself): its votes are in all-time already, and it is counted as a late partial.
 */
final class AggregateRollup implements Processor<String, FeedbackAggregate, String, Message> {

    private final AggregatorSettings settings;
    private final FeedbackMetrics metrics;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, FeedbackAggregate> aggregates;
    private KeyValueStore<String, DriftState> drift;
    private ExpiryIndex bucketRemoval;
    private KeyIndex keys;
    /** Indexes aggregates kept before the bucket removal and key indexes existed. */
    private StateWalk<FeedbackAggregate> unindexed;
    private Cancellable walking;

    AggregateRollup(AggregatorSettings settings, FeedbackMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.aggregates = context.getStateStore(FeedbackStores.AGGREGATES_STORE);
        this.drift = context.getStateStore(FeedbackStores.DRIFT_STORE);
        KeyValueStore<String, byte[]> removalStore = context.getStateStore(FeedbackStores.BUCKET_EXPIRY_STORE);
        this.bucketRemoval = new ExpiryIndex(removalStore);
        this.keys = new KeyIndex(context.getStateStore(FeedbackStores.KEY_INDEX_STORE));
        this.unindexed = new StateWalk<>(aggregates, removalStore, "~indexed-aggregates");
        if (!unindexed.finished()) {
            walking = context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, now -> indexUnindexed());
        }
        context.schedule(ExpiryIndex.sweepInterval(settings.buckets().retention()), PunctuationType.STREAM_TIME,
                streamTime -> bucketRemoval.sweep(streamTime, aggregates::delete));
    }

    private void indexUnindexed() {
        unindexed.step(ExpiryIndex.SWEEP_BATCH, (key, aggregate) -> {
            AggregateKey decoded = AggregateKey.decode(key);
            if (decoded.isAllTime()) {
                keys.update(key, null, aggregate);
            } else {
                bucketRemoval.schedule(key, settings.bucketRemovedAtMs(decoded.bucketStart().orElseThrow().toEpochMilli()));
            }
        });
        if (unindexed.finished()) {
            walking.cancel();
        }
    }

    @Override
    public void process(Record<String, FeedbackAggregate> record) {
        FeedbackAggregate partial = record.value();
        AggregateKey modelKey = AggregateKey.allTime(partial.getModel().getName(), partial.getModel().getVersion(),
                partial.getPromptVersion());
        Optional<Instant> bucketStart = partial.hasBucket()
                ? Optional.of(CohortBuckets.startInstant(partial.getBucket()))
                : Optional.empty();
        AggregateKey key = new AggregateKey(modelKey.modelName(), modelKey.modelVersion(), modelKey.promptVersion(), bucketStart);
        long streamTime = context.currentStreamTimeMs();
        bucketRemoval.catchUp(streamTime, aggregates::delete);
        Optional<Long> removedAt = bucketStart.map(start -> settings.bucketRemovedAtMs(start.toEpochMilli()));
        if (removedAt.isPresent() && streamTime >= removedAt.get()) {
            metrics.latePartial();
            return;
        }

        FeedbackAggregate current = aggregates.get(key.encode());
        FeedbackAggregate.Builder next = current == null
                ? FeedbackTally.zero(partial.getModel(), partial.getPromptVersion(), partial.hasBucket() ? partial.getBucket() : null)
                : current.toBuilder();
        FeedbackTally.add(next, partial);
        FeedbackAggregate updated = FeedbackTally.derive(next).setUpdatedAt(Timestamps.fromMillis(record.timestamp())).build();
        aggregates.put(key.encode(), updated);
        if (removedAt.isEmpty()) {
            keys.update(key.encode(), current, updated);
        } else if (current == null) {
            bucketRemoval.schedule(key.encode(), removedAt.get());
        }
        context.forward(record.withKey(key.encode()).withValue(updated));
        metrics.aggregateUpdated(partial.hasBucket());

        bucketStart.ifPresent(start -> checkDrift(modelKey, start.toEpochMilli(), updated, record.timestamp()));
    }

    private void checkDrift(AggregateKey modelKey, long bucketStartMs, FeedbackAggregate bucket, long timestamp) {
        DriftState state = Optional.ofNullable(drift.get(modelKey.encode())).orElse(DriftState.getDefaultInstance());
        if (bucketStartMs < state.getLatestBucketStartMs()) {
            return; // late feedback for an older bucket: drift is judged on the newest bucket only
        }
        long widthMs = settings.buckets().width().toMillis();
        long baselineUp = 0;
        long baselineDown = 0;
        for (int i = 1; i <= settings.drift().baselineBuckets(); i++) {
            FeedbackAggregate previous = aggregates.get(modelKey.bucket(Instant.ofEpochMilli(bucketStartMs - i * widthMs)).encode());
            if (previous != null) {
                baselineUp += previous.getThumbsUp();
                baselineDown += previous.getThumbsDown();
            }
        }
        DriftDetector.Comparison comparison = settings.drift().compare(bucket.getThumbsUp(), bucket.getThumbsDown(), baselineUp, baselineDown);
        Optional<DriftAlert.State> transition = settings.drift().transition(state.getFiring(), comparison);
        DriftState.Builder next = state.toBuilder().setLatestBucketStartMs(bucketStartMs);
        transition.ifPresent(change -> {
            next.setFiring(change == DriftAlert.State.FIRING);
            DriftAlert alert = DriftAlert.newBuilder()
                    .setModel(bucket.getModel())
                    .setPromptVersion(bucket.getPromptVersion())
                    .setState(change)
                    .setBucket(bucket.getBucket())
                    .setBucketApproval(comparison.bucketApproval())
                    .setBucketVotes(comparison.bucketVotes())
                    .setBaselineApproval(comparison.baselineApproval())
                    .setBaselineVotes(comparison.baselineVotes())
                    .setZScore(comparison.zScore())
                    .setEmittedAt(Timestamps.fromMillis(timestamp))
                    .build();
            next.setLastAlert(alert);
            context.forward(new Record<>(modelKey.encode(), alert, timestamp));
            metrics.driftAlert(change);
        });
        DriftState updated = next.build();
        if (!updated.equals(state)) {
            drift.put(modelKey.encode(), updated);
        }
    }
}
