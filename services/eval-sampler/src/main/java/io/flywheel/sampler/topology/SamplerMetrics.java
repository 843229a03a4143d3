package io.flywheel.sampler.topology;

import io.flywheel.events.v1.EvalSample;
import io.flywheel.runtime.metrics.CappedLabel;
import io.flywheel.runtime.metrics.RecordFlow;
import io.flywheel.sampler.sampling.StratumKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The eval-sampler's domain metrics (plain Micrometer, so the topology stays free of Quarkus).
 * Strata are model names (and locales): at most {@value #STRATUM_LIMIT} distinct ones are named,
 * the rest are {@code other}.
 *
 * <ul>
 *   <li>{@code flywheel_sampler_samples_total{reason,stratum}}: samples written; boosts (a completion
 *       pulled in by negative feedback) are {@code reason="negative_feedback"}</li>
 *   <li>{@code flywheel_sampler_budget_left{stratum}}: budget not yet drawn this period, summed over
 *       this instance's tasks (strata without a budget have no series)</li>
 *   <li>{@code flywheel_sampler_drift_alerts_firing}: model keys whose latest drift alert is firing
 *       (every instance holds all of them)</li>
 *   <li>{@code flywheel_sampler_alerts_skipped}: feedback.alerts records this instance could not decode</li>
 *   <li>{@code flywheel_sampler_alerts_pending}: feedback.alerts records waiting for the schema registry</li>
 * </ul>
 * Records in, out and dead-lettered are counted by {@link #flow()}.
 */
public final class SamplerMetrics {

    static final int STRATUM_LIMIT = 50;

    private final MeterRegistry registry;
    private final RecordFlow flow;
    private final CappedLabel strata = new CappedLabel(STRATUM_LIMIT);
    /** Budget left by stratum, then by the partition (task) that holds that share. */
    private final Map<StratumKey, Map<Integer, Long>> budgetLeft = new ConcurrentHashMap<>();
    private final Set<String> registeredBudgetLabels = ConcurrentHashMap.newKeySet();
    private final Set<String> firingAlerts = ConcurrentHashMap.newKeySet();

    public SamplerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.flow = new RecordFlow(registry);
        Gauge.builder("flywheel.sampler.drift.alerts.firing", firingAlerts, Set::size)
                .description("model keys whose latest drift alert is firing").register(registry);
    }

    public RecordFlow flow() {
        return flow;
    }

    public void watch(SkippedAlerts skipped) {
        Gauge.builder("flywheel.sampler.alerts.skipped", skipped, SkippedAlerts::count)
                .description("feedback.alerts records this instance could not decode").register(registry);
        Gauge.builder("flywheel.sampler.alerts.pending", skipped, SkippedAlerts::pendingCount)
                .description("feedback.alerts records waiting for the schema registry").register(registry);
    }

    void sampled(EvalSample sample) {
        Counter.builder("flywheel.sampler.samples").description("samples written, by reason and stratum")
                .tag("reason", sample.getReason().name().toLowerCase(Locale.ROOT))
                .tag("stratum", strata.of(sample.getStratum()))
                .register(registry).increment();
    }

    /** The budget a task has left for a stratum after its latest completion; empty: no budget. */
    void budgetLeft(int partition, StratumKey stratum, OptionalLong left) {
        if (left.isEmpty()) {
            return;
        }
        budgetLeft.computeIfAbsent(stratum, s -> new ConcurrentHashMap<>()).put(partition, left.getAsLong());
        String label = strata.of(stratum.encode());
        if (registeredBudgetLabels.add(label)) {
            Gauge.builder("flywheel.sampler.budget.left", this, m -> m.budgetLeftOf(label))
                    .description("samples the budget still allows this period, summed over this instance's tasks")
                    .tag("stratum", label).register(registry);
        }
    }

    /** A task left this instance (rebalance or shutdown): its shares are no longer this instance's. */
    void taskClosed(int partition) {
        budgetLeft.values().forEach(shares -> shares.remove(partition));
    }

    void driftAlert(String modelKey, boolean firing) {
        if (firing) {
            firingAlerts.add(modelKey);
        } else {
            firingAlerts.remove(modelKey);
        }
    }

    private double budgetLeftOf(String label) {
        return budgetLeft.entrySet().stream()
                .filter(entry -> strata.of(entry.getKey().encode()).equals(label))
                .flatMap(entry -> entry.getValue().values().stream())
                .mapToLong(Long::longValue).sum();
    }
}
