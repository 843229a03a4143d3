package io.flywheel.feedback.topology;

import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import io.flywheel.feedback.tally.FeedbackTally;
import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.model.AggregateKey;
import io.flywheel.state.v1.DriftState;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds partial sums into the aggregates of their model key (all-time and cohort buckets live in
 * the same task), emits each updated aggregate, and checks the newest bucket for drift against
 * the previous K buckets.
 */
final class AggregateRollup implements Processor<String, FeedbackAggregate, String, Message> {

    private final AggregatorSettings settings;
    private final FeedbackMetrics metrics;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, FeedbackAggregate> aggregates;
    private KeyValueStore<String, DriftState> drift;

    AggregateRollup(AggregatorSettings settings, FeedbackMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.aggregates = context.getStateStore(FeedbackStores.AGGREGATES_STORE);
        this.drift = context.getStateStore(FeedbackStores.DRIFT_STORE);
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

        FeedbackAggregate current = aggregates.get(key.encode());
        FeedbackAggregate.Builder next = current == null
                ? FeedbackTally.zero(partial.getModel(), partial.getPromptVersion(), partial.hasBucket() ? partial.getBucket() : null)
                : current.toBuilder();
        FeedbackTally.add(next, partial);
        FeedbackAggregate updated = FeedbackTally.derive(next).setUpdatedAt(Timestamps.fromMillis(record.timestamp())).build();
        aggregates.put(key.encode(), updated);
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
