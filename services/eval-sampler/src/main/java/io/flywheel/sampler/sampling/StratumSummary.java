package io.flywheel.sampler.sampling;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The sampling statistics of one stratum in one task, or summed over tasks and instances with
 * {@link #merge}: plain sums, so the query API adds up every instance's answer.
 *
 * @param seen                     completions seen (re-deliveries not counted)
 * @param arrivalSamples           completions sampled when they arrived (any reason but NEGATIVE_FEEDBACK)
 * @param expectedArrivalSamples   sum of their arrival inclusion probabilities: the expected value of the above
 * @param baselineDraws            completions whose draw fell under the baseline rate (what the budget pays for)
 * @param expectedBaselineDraws    sum of the baseline rates offered
 * @param dropped                  not sampled only because the budget held the rate under the base rate
 * @param sampledNegativeFeedback  samples emitted for NEGATIVE_FEEDBACK
 * @param sampledSafety            samples emitted for SAFETY
 * @param sampledDrift             samples emitted for DRIFT
 * @param sampledBaseline          samples emitted for BASELINE
 * @param currentRateSum           sum over tasks of the baseline rate offered now
 * @param tasks                    tasks summed in
 * @param periodBudget             the tasks' shares of the current period's budget; infinite without a budget
 * @param periodDraws              baseline draws in the tasks' current periods
 */
public record StratumSummary(long seen, long arrivalSamples, double expectedArrivalSamples, long baselineDraws,
                           double expectedBaselineDraws, long dropped, long sampledNegativeFeedback,
                           long sampledSafety, long sampledDrift, long sampledBaseline, double currentRateSum,
                           long tasks, double periodBudget, long periodDraws) {

    public static final StratumSummary EMPTY = new StratumSummary(0, 0, 0.0, 0, 0.0, 0, 0, 0, 0, 0, 0.0, 0, 0.0, 0);

    public StratumSummary merge(StratumSummary other) {
        return new StratumSummary(seen + other.seen, arrivalSamples + other.arrivalSamples,
                expectedArrivalSamples + other.expectedArrivalSamples, baselineDraws + other.baselineDraws,
                expectedBaselineDraws + other.expectedBaselineDraws, dropped + other.dropped,
                sampledNegativeFeedback + other.sampledNegativeFeedback, sampledSafety + other.sampledSafety,
                sampledDrift + other.sampledDrift, sampledBaseline + other.sampledBaseline,
                currentRateSum + other.currentRateSum, tasks + other.tasks, periodBudget + other.periodBudget,
                periodDraws + other.periodDraws);
    }

    /** Every sample emitted for this stratum, whatever the reason. */
    public long sampled() {
        return sampledNegativeFeedback + sampledSafety + sampledDrift + sampledBaseline;
    }

    public long sampledBy(SampleReason reason) {
        return switch (reason) {
            case NEGATIVE_FEEDBACK -> sampledNegativeFeedback;
            case SAFETY -> sampledSafety;
            case DRIFT -> sampledDrift;
            case BASELINE -> sampledBaseline;
        };
    }

    public Map<SampleReason, Long> sampledByReason() {
        Map<SampleReason, Long> byReason = new EnumMap<>(SampleReason.class);
        for (SampleReason reason : SampleReason.values()) {
            byReason.put(reason, sampledBy(reason));
        }
        return Collections.unmodifiableMap(byReason);
    }

    /** Share of seen completions sampled on arrival. */
    public double realisedRate() {
        return seen == 0 ? 0.0 : arrivalSamples / (double) seen;
    }

    /** The expected value of {@link #realisedRate()}: the mean arrival inclusion probability. */
    public double targetRate() {
        return seen == 0 ? 0.0 : expectedArrivalSamples / seen;
    }

    /** The baseline rate offered now (the mean over the tasks summed in). */
    public double currentRate() {
        return tasks == 0 ? 0.0 : currentRateSum / tasks;
    }

    /** Budget not yet drawn in the current period; empty when the stratum has no budget. */
    public OptionalLong budgetLeft() {
        return Double.isInfinite(periodBudget) ? OptionalLong.empty()
                : OptionalLong.of(Math.round(periodBudget) - periodDraws);
    }

    /** One completion seen, as the arrival decision left it. */
    StratumSummary withArrival(SamplingDecision decision, double baselineRate, boolean baselineDraw, boolean dropped) {
        return new StratumSummary(seen + 1, arrivalSamples + (decision.sampled() ? 1 : 0),
                expectedArrivalSamples + decision.inclusionProbability(), baselineDraws + (baselineDraw ? 1 : 0),
                expectedBaselineDraws + baselineRate, this.dropped + (dropped ? 1 : 0),
                sampledNegativeFeedback, sampledSafety + count(decision, SampleReason.SAFETY),
                sampledDrift + count(decision, SampleReason.DRIFT), sampledBaseline + count(decision, SampleReason.BASELINE),
                currentRateSum, tasks, periodBudget, periodDraws);
    }

    StratumSummary withBoost() {
        return new StratumSummary(seen, arrivalSamples, expectedArrivalSamples, baselineDraws, expectedBaselineDraws,
                dropped, sampledNegativeFeedback + 1, sampledSafety, sampledDrift, sampledBaseline, currentRateSum,
                tasks, periodBudget, periodDraws);
    }

    /** This task's view of its pacer, replacing the pacer fields. */
    StratumSummary withPacer(double currentRate, double taskBudget, long periodDraws) {
        return new StratumSummary(seen, arrivalSamples, expectedArrivalSamples, baselineDraws, expectedBaselineDraws,
                dropped, sampledNegativeFeedback, sampledSafety, sampledDrift, sampledBaseline, currentRate, 1,
                taskBudget, periodDraws);
    }

    private static long count(SamplingDecision decision, SampleReason reason) {
        return decision.sampled() && decision.reason() == reason ? 1 : 0;
    }
}
