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
public record StratumPolicy(double baseRate, OptionalLong budgetPerPeriod) {

    public StratumPolicy {
        ApplicableRates.checkRate(baseRate);
        Objects.requireNonNull(budgetPerPeriod, "budgetPerPeriod");
        if (budgetPerPeriod.isPresent() && budgetPerPeriod.getAsLong() < 0) {
            throw new IllegalArgumentException("a budget cannot be negative: " + budgetPerPeriod.getAsLong());
        }
    }

    public static StratumPolicy unbudgeted(double baseRate) {
        return new StratumPolicy(baseRate, OptionalLong.empty());
    }

    public static StratumPolicy budgeted(double baseRate, long budgetPerPeriod) {
        return new StratumPolicy(baseRate, OptionalLong.of(budgetPerPeriod));
    }

    /** One task's share of the budget: the stratum's budget ÷ the number of partitions. */
    public double taskBudget(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1");
        }
        return budgetPerPeriod.isPresent() ? (double) budgetPerPeriod.getAsLong() / partitions : Double.POSITIVE_INFINITY;
    }
}
