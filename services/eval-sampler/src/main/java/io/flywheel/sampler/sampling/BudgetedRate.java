package io.flywheel.sampler.sampling;

/**
 * The rate of one stratum in one task for one epoch, as a pure function of event-time counts of
 * completed epochs: no wall clock, no randomness, and never any draw u, so a replay of the same
 * partition sets the same rates and the inclusion probability of every completion is exactly the
 * rate it was offered.
 *
 * <p>At the start of epoch k of a period of m epochs, with {@code spent} the expected baseline
 * draws already taken this period (sum of rate × count, never realised draws):
 * <pre>
 *   remaining = max(0, target × taskBudget − spent)        target = budget-target, e.g. 0.95
 *   forecast  = mean(count of the last L completed epochs) × (m − k)
 *   rate      = min(baseRate, remaining / forecast)         baseRate when there is no history yet
 *   ceiling   = min(remaining, burstAllowance × remaining / (m − k))
 * </pre>
 * The rate spreads what is left evenly over the traffic still expected this period, so the budget
 * is met without cutting off the end of the period. The ceiling is a guard for a cold start (no
 * history: the base rate applies) and for sudden bursts: once an epoch has spent its ceiling, the
 * rest of that epoch gets rate 0. It depends on the current epoch's count so far, which a replay of
 * the same partition also reproduces.
 *
 * <p>Why aim under the budget: realised draws vary around the expected ones. For a stratum whose
 * conversations have k completions each, the standard deviation of one period's draws is about
 * {@code sqrt(target × budget × E[k²]/E[k])}; with the default target of 95 % the realised count
 * stays within 90–100 % of the budget at 3σ once the budget is about
 * {@code 3600 × E[k²]/E[k]} draws per period (all tasks together). Smaller budgets see
 * proportionally wider swings; lower the target if overshooting is worse than undershooting.
 *
 * @param baseRate        the stratum's base rate
 * @param taskBudget      this task's share of the period budget (budget ÷ partitions); infinite for none
 * @param budgetTarget    share of the budget aimed at, in (0, 1]
 * @param burstAllowance  how many times its even share one epoch may spend, ≥ 1
 * @param epochsPerPeriod m
 */
public record BudgetedRate(double baseRate, double taskBudget, double budgetTarget, double burstAllowance,
                           int epochsPerPeriod) {

    /** The rate offered in an epoch, and the most expected draws the epoch may spend. */
    public record EpochPlan(double rate, double ceiling) {
    }

    public BudgetedRate {
        ApplicableRates.checkRate(baseRate);
        if (!(taskBudget >= 0.0)) {
            throw new IllegalArgumentException("taskBudget must be ≥ 0, got " + taskBudget);
        }
        if (epochsPerPeriod < 1) {
            throw new IllegalArgumentException("epochsPerPeriod must be ≥ 1");
        }
    }

    public static BudgetedRate of(StratumQuota terms, SamplingPolicy policy, int partitions) {
        return new BudgetedRate(terms.baseRate(), terms.taskBudget(partitions), policy.budgetTarget(),
                policy.burstAllowance(), policy.clock().epochsPerPeriod());
    }

    public boolean isBudgeted() {
        return taskBudget != Double.POSITIVE_INFINITY;
    }

    /**
     * @param epochInPeriod    k, 0-based
     * @param spentInPeriod    expected baseline draws of the completed epochs of this period
     * @param recentCounts     completions counted in the last completed epochs (any order), at most L
     */
    public EpochPlan plan(int epochInPeriod, double spentInPeriod, long[] recentCounts) {
        if (!isBudgeted()) {
            return new EpochPlan(baseRate, Double.POSITIVE_INFINITY);
        }
        int remainingEpochs = epochsPerPeriod - epochInPeriod;
        double remaining = Math.max(0.0, budgetTarget * taskBudget - spentInPeriod);
        double ceiling = Math.min(remaining, burstAllowance * remaining / remainingEpochs);
        if (recentCounts.length == 0) {
            return new EpochPlan(baseRate, ceiling);
        }
        double level = 0;
        for (long count : recentCounts) {
            level += count;
        }
        level /= recentCounts.length;
        double forecast = level * remainingEpochs;
        double rate = forecast <= 0.0 ? baseRate : Math.min(baseRate, remaining / forecast);
        return new EpochPlan(rate, ceiling);
    }
}
