package io.flywheel.sampler.sampling;

import java.util.Arrays;

/**
 * Paces one stratum's baseline draws in one task over the budget period: counts completions per
 * event-time epoch and offers each completion the rate its epoch was planned with
 * ({@link BudgetedRate}). The epoch is that of the pacer's stream time (the largest event time it
 * has seen), so a late completion is counted in, and offered the rate of, the current epoch.
 * Deterministic: the same completions in the same order give the same rates.
 *
 * <p>Not thread-safe; one per (task, stratum), restored from and saved to {@link PacerState}.
 */
public final class BudgetPacer {

    private final BudgetedRate plan;
    private final EpochClock clock;
    private final int forecastEpochs;

    private long epoch;
    private long streamTimeMs;
    private double epochRate;
    private double epochCeiling;
    private long epochCount;
    private double epochSpend;
    private double periodSpend;
    private long periodDraws;
    private long[] recentCounts;

    public BudgetPacer(BudgetedRate plan, EpochClock clock, int forecastEpochs, PacerState state) {
        if (forecastEpochs < 1) {
            throw new IllegalArgumentException("forecastEpochs must be ≥ 1");
        }
        this.plan = plan;
        this.clock = clock;
        this.forecastEpochs = forecastEpochs;
        epoch = state.epoch();
        streamTimeMs = state.streamTimeMs();
        epochRate = state.epochRate();
        epochCeiling = state.epochCeiling();
        epochCount = state.epochCount();
        epochSpend = state.epochSpend();
        periodSpend = state.periodSpend();
        periodDraws = state.periodDraws();
        long[] counts = state.recentCounts();
        recentCounts = counts.length > forecastEpochs
                ? Arrays.copyOfRange(counts, counts.length - forecastEpochs, counts.length) : counts;
    }

    public static BudgetPacer start(StratumQuota terms, SamplingPolicy policy, int partitions) {
        return new BudgetPacer(BudgetedRate.of(terms, policy, partitions), policy.clock(), policy.forecastEpochs(),
                PacerState.INITIAL);
    }

    /** Counts one completion with this event time and returns the baseline rate it is offered. */
    public double admit(long eventTimeMs) {
        long now = epoch == PacerState.NO_EPOCH ? eventTimeMs : Math.max(streamTimeMs, eventTimeMs);
        long nowEpoch = clock.epochOf(now);
        if (epoch == PacerState.NO_EPOCH) {
            epoch = nowEpoch;
            planEpoch();
        } else if (nowEpoch > epoch) {
            rollTo(nowEpoch);
        }
        streamTimeMs = now;
        double rate = offeredRate();
        epochCount++;
        epochSpend += rate;
        return rate;
    }

    /** Notes a realised baseline draw (u below the offered rate); for statistics only. */
    public void recordDraw() {
        periodDraws++;
    }

    /** The rate the next completion of the current epoch would be offered. */
    public double currentRate() {
        return epoch == PacerState.NO_EPOCH ? plan.baseRate() : offeredRate();
    }

    /** This task's share of the period budget; infinite when the stratum has none. */
    public double taskBudget() {
        return plan.taskBudget();
    }

    public PacerState state() {
        return new PacerState(epoch, streamTimeMs, epochRate, epochCeiling, epochCount, epochSpend, periodSpend,
                periodDraws, recentCounts);
    }

    private double offeredRate() {
        return Math.min(epochRate, Math.max(0.0, epochCeiling - epochSpend));
    }

    private void rollTo(long nextEpoch) {
        boolean samePeriod = clock.periodOfEpoch(nextEpoch) == clock.periodOfEpoch(epoch);
        push(epochCount);
        for (long gap = epoch + 1; gap < nextEpoch && gap - epoch <= forecastEpochs; gap++) {
            push(0);
        }
        if (samePeriod) {
            periodSpend += epochSpend;
        } else {
            periodSpend = 0.0;
            periodDraws = 0;
        }
        epoch = nextEpoch;
        epochCount = 0;
        epochSpend = 0.0;
        planEpoch();
    }

    private void planEpoch() {
        BudgetedRate.EpochPlan next = plan.plan(clock.epochInPeriod(epoch), periodSpend, recentCounts);
        epochRate = next.rate();
        epochCeiling = next.ceiling();
    }

    private void push(long count) {
        int keep = Math.min(recentCounts.length, forecastEpochs - 1);
        long[] next = new long[keep + 1];
        System.arraycopy(recentCounts, recentCounts.length - keep, next, 0, keep);
        next[keep] = count;
        recentCounts = next;
    }
}
