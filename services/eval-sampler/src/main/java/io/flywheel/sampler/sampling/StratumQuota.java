package io.flywheel.sampler.sampling;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The sampling terms of one stratum.
 *
 * @param baseRate        the baseline rate when the budget does not bind, in [0, 1]
 * @param budgetPerPeriod the most baseline draws the whole stratum (all tasks together) may take
 *                        per period; empty for no budget
 */
public record StratumQuota(double baseRate, OptionalLong budgetPerPeriod) {

    public StratumQuota {
        ApplicableRates.checkRate(baseRate);
        Objects.requireNonNull(budgetPerPeriod, "budgetPerPeriod");
        if (budgetPerPeriod.isPresent() && budgetPerPeriod.getAsLong() < 0) {
            throw new IllegalArgumentException("a budget cannot be negative: " + budgetPerPeriod.getAsLong());
        }
    }

    public static StratumQuota unbudgeted(double baseRate) {
        return new StratumQuota(baseRate, OptionalLong.empty());
    }

    public static StratumQuota budgeted(double baseRate, long budgetPerPeriod) {
        return new StratumQuota(baseRate, OptionalLong.of(budgetPerPeriod));
    }

    /** One task's share of the budget: the stratum's budget ÷ the number of partitions. */
    public double taskBudget(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1");
        }
        return budgetPerPeriod.isPresent() ? (double) budgetPerPeriod.getAsLong() / partitions : Double.POSITIVE_INFINITY;
    }
}
