package io.flywheel.sampler.sampling;

import java.util.Arrays;

/**
 * The persisted state of one {@link BudgetPacer} (one stratum in one task): everything the next
 * rate depends on, so a task restored from it continues exactly as if it had never stopped.
 *
 * @param epoch           absolute index of the current epoch; {@link #NO_EPOCH} before the first completion
 * @param streamTimeMs    the largest event time seen by this pacer
 * @param epochRate       the rate planned for the current epoch
 * @param epochCeiling    the most expected draws the current epoch may spend
 * @param epochCount      completions counted in the current epoch
 * @param epochSpend      expected baseline draws of the current epoch (sum of the rates offered)
 * @param periodSpend     expected baseline draws of the completed epochs of the current period
 * @param periodDraws     realised baseline draws in the current period (statistics only: no rate reads it)
 * @param recentCounts    counts of the last completed epochs, oldest first, at most forecast-epochs
 */
public record PacerState(long epoch, long streamTimeMs, double epochRate, double epochCeiling, long epochCount,
                         double epochSpend, double periodSpend, long periodDraws, long[] recentCounts) {

    public static final long NO_EPOCH = Long.MIN_VALUE;

    public static final PacerState INITIAL = new PacerState(NO_EPOCH, Long.MIN_VALUE, Double.NaN, Double.NaN,
            0, 0.0, 0.0, 0, new long[0]);

    public PacerState {
        recentCounts = recentCounts.clone();
    }

    @Override
    public long[] recentCounts() {
        return recentCounts.clone();
    }

    public boolean started() {
        return epoch != NO_EPOCH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PacerState other
                && epoch == other.epoch && streamTimeMs == other.streamTimeMs
                && Double.compare(epochRate, other.epochRate) == 0
                && Double.compare(epochCeiling, other.epochCeiling) == 0
                && epochCount == other.epochCount
                && Double.compare(epochSpend, other.epochSpend) == 0
                && Double.compare(periodSpend, other.periodSpend) == 0
                && periodDraws == other.periodDraws
                && Arrays.equals(recentCounts, other.recentCounts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new double[] {epoch, streamTimeMs, epochRate, epochCeiling, epochCount, epochSpend,
                periodSpend, periodDraws}) * 31 + Arrays.hashCode(recentCounts);
    }

    @Override
    public String toString() {
        return "PacerState[epoch=" + epoch + ", streamTimeMs=" + streamTimeMs + ", epochRate=" + epochRate
                + ", epochCeiling=" + epochCeiling + ", epochCount=" + epochCount + ", epochSpend=" + epochSpend
                + ", periodSpend=" + periodSpend + ", periodDraws=" + periodDraws
                + ", recentCounts=" + Arrays.toString(recentCounts) + "]";
    }
}
