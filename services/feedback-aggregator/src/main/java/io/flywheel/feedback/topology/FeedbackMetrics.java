package io.flywheel.feedback.topology;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.runtime.metrics.RecordFlow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * The feedback-aggregator's domain metrics (plain Micrometer, so the topology stays free of
 * Quarkus). No label carries a model, user or conversation:
 *
 * <ul>
 *   <li>{@code flywheel_feedback_aggregates_updated_total{scope}}: aggregates rolled up, {@code all_time} or {@code bucket}</li>
 *   <li>{@code flywheel_feedback_late_deltas_total}: vote changes whose cohort bucket had closed ({@code too_late}: all-time only)</li>
 *   <li>{@code flywheel_feedback_expired_total}: feedback not counted because its completion's vote ledgers had expired</li>
 *   <li>{@code flywheel_feedback_late_partials_total}: bucket partials that reached a bucket already removed (counted in all-time only)</li>
 *   <li>{@code flywheel_feedback_drift_alerts_total{state}}: drift alerts emitted, {@code firing} or {@code recovered}</li>
 * </ul>
 * How many alerts fire right now is {@code flywheel_sampler_drift_alerts_firing}: the eval-sampler
 * holds every model key's latest alert, an aggregator instance only its own partitions'.
 * Records in, out and dead-lettered are counted by {@link #flow()}.
 */
public final class FeedbackMetrics {

    private final RecordFlow flow;
    private final Counter allTimeUpdates;
    private final Counter bucketUpdates;
    private final Counter lateDeltas;
    private final Counter expired;
    private final Counter latePartials;
    private final MeterRegistry registry;

    public FeedbackMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.flow = new RecordFlow(registry);
        this.allTimeUpdates = updates(registry, "all_time");
        this.bucketUpdates = updates(registry, "bucket");
        this.lateDeltas = Counter.builder("flywheel.feedback.late.deltas")
                .description("vote changes counted in all-time only because their cohort bucket had closed (too_late)")
                .register(registry);
        this.expired = Counter.builder("flywheel.feedback.expired")
                .description("feedback not counted because its completion is older than the vote expiry")
                .register(registry);
        this.latePartials = Counter.builder("flywheel.feedback.late.partials")
                .description("bucket partials that reached a bucket already removed from the store (counted in all-time only)")
                .register(registry);
    }

    public RecordFlow flow() {
        return flow;
    }

    void aggregateUpdated(boolean bucket) {
        (bucket ? bucketUpdates : allTimeUpdates).increment();
    }

    void lateDelta() {
        lateDeltas.increment();
    }

    void expired() {
        expired.increment();
    }

    void latePartial() {
        latePartials.increment();
    }

    void driftAlert(DriftAlert.State state) {
        Counter.builder("flywheel.feedback.drift.alerts").description("drift alerts emitted, by state")
                .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    private static Counter updates(MeterRegistry registry, String scope) {
        return Counter.builder("flywheel.feedback.aggregates.updated").description("aggregates rolled up, by scope")
                .tag("scope", scope).register(registry);
    }
}
