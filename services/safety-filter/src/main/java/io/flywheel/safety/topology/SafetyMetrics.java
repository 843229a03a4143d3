package io.flywheel.safety.topology;

import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.runtime.metrics.CappedLabel;
import io.flywheel.runtime.metrics.RecordFlow;
import io.flywheel.safety.rules.Finding;
import io.flywheel.safety.rules.PolicySet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;

/**
 * The safety-filter's domain metrics (plain Micrometer, so the topology stays free of Quarkus):
 *
 * <ul>
 *   <li>{@code flywheel_safety_decisions_total{action}}: verdicts by decision (allow, flag, redact, block)</li>
 *   <li>{@code flywheel_safety_findings_total{category,action}}: findings by policy category and the
 *       policy's action; categories come from policies, so at most {@value #CATEGORY_LIMIT} distinct
 *       ones are named, the rest are {@code other}</li>
 *   <li>{@code flywheel_safety_policy_revision_offset}: the {@code safety.policies} offset of the policy
 *       set in force (-1: the default pack only)</li>
 *   <li>{@code flywheel_safety_policies_active}, {@code _disabled}, {@code _skipped}: rules in force,
 *       policies switched off, and policies not in force because they failed validation</li>
 *   <li>{@code flywheel_safety_policies_pending}: stored policy records waiting for the schema registry
 *       (above 0: the instance is degraded and screens with the last set it could read)</li>
 * </ul>
 * Records in, out and dead-lettered are counted by {@link #flow()}.
 */
public final class SafetyMetrics {

    static final int CATEGORY_LIMIT = 50;

    private final MeterRegistry registry;
    private final RecordFlow flow;
    private final CappedLabel categories = new CappedLabel(CATEGORY_LIMIT);

    public SafetyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.flow = new RecordFlow(registry);
    }

    public RecordFlow flow() {
        return flow;
    }

    /** Gauges of the policy set in force on this instance. */
    public void watch(ActivePolicySet active) {
        Gauge.builder("flywheel.safety.policy.revision.offset", active, a -> revisionOffset(a.get()))
                .description("safety.policies offset of the policy set in force; -1 when only the default pack is").register(registry);
        Gauge.builder("flywheel.safety.policies.skipped", active, a -> a.get().skipped().size())
                .description("safety.policies records not in force because they failed validation").register(registry);
        Gauge.builder("flywheel.safety.policies.active", active, a -> a.get().rules().size())
                .description("rules in force").register(registry);
        Gauge.builder("flywheel.safety.policies.disabled", active, a -> a.get().disabled().size())
                .description("policies switched off with enabled=false").register(registry);
        Gauge.builder("flywheel.safety.policies.pending", active, a -> a.get().pending().size())
                .description("safety.policies records waiting for the schema registry (degraded while above 0)").register(registry);
    }

    void decided(SafetyVerdict.Decision decision, List<Finding> findings) {
        Counter.builder("flywheel.safety.decisions").description("safety verdicts by decision")
                .tag("action", label(decision.name())).register(registry).increment();
        for (Finding finding : findings) {
            Counter.builder("flywheel.safety.findings").description("findings by policy category and action")
                    .tag("category", categories.of(finding.category())).tag("action", label(finding.action().name()))
                    .register(registry).increment();
        }
    }

    /** A revision is {@code <default-pack hash>@<offset>}, or {@code @none} before any policy record. */
    static long revisionOffset(PolicySet set) {
        String offset = set.revision().substring(set.revision().lastIndexOf('@') + 1);
        return offset.chars().allMatch(Character::isDigit) && !offset.isEmpty() ? Long.parseLong(offset) : -1;
    }

    private static String label(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }
}
