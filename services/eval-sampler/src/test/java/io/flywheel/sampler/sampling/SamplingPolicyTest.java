package io.flywheel.sampler.sampling;

import static io.flywheel.sampler.config.ConfigFixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SamplingPolicyTest {

    private static final SamplingPolicy VALID = policy(Map.of("salt", "s"));

    @Test
    void strataWithDotsQuotesAndLocales() {
        SamplingPolicy policy = policy(Map.of(
                "salt", "s",
                "stratify-by-locale", "true",
                "period", "1d",
                "epoch", "PT15M",
                "default.base-rate", "0.02",
                "default.budget-per-period", "1000",
                "strata.\"gpt-4.1\".base-rate", "0.2",
                "strata.\"claude-3.5\".budget-per-period", "none",
                "strata.\"gpt-4.1/de-CH\".budget-per-period", "50"));
        assertEquals(96, policy.clock().epochsPerPeriod());
        StratumKey deCh = policy.stratumOf("gpt-4.1", "de-CH");
        assertEquals(StratumKey.of("gpt-4.1", "de-CH"), deCh);
        assertEquals(StratumQuota.budgeted(0.02, 50), policy.termsOf(deCh), "exact entry; its rate falls back to the default");
        assertEquals(StratumQuota.budgeted(0.2, 1000), policy.termsOf(policy.stratumOf("gpt-4.1", "fr-FR")),
                "a model entry covers every locale of the model");
        assertEquals(new StratumQuota(0.02, OptionalLong.empty()), policy.termsOf(policy.stratumOf("claude-3.5", "")));
        assertEquals(StratumQuota.budgeted(0.02, 1000), policy.termsOf(policy.stratumOf("other", "en")));
        assertEquals(StratumKey.of("claude-3.5", "und"), policy.stratumOf("claude-3.5", " "));
    }

    @Test
    void rejectsWhatWouldMisbehave() {
        assertRejected(() -> withSafetyRate(1.5), "rate");
        assertRejected(() -> with(0.0, 2, 2.0), "budget-target must be in (0, 1]");
        assertRejected(() -> with(0.95, 0, 2.0), "forecast-epochs must be at least 1");
        assertRejected(() -> with(0.95, 2, 0.5), "burst-allowance must be at least 1");
        assertRejected(() -> new SamplingPolicy("a\0b", false, VALID.clock(), VALID.boostWindow(), VALID.boostGrace(),
                VALID.defaultStratum(), VALID.strata(), 1, 1, 1, 0.95, 2, 2.0), "U+0000");
        assertRejected(() -> new SamplingPolicy("s", false, VALID.clock(), Duration.ofMinutes(-1), VALID.boostGrace(),
                VALID.defaultStratum(), VALID.strata(), 1, 1, 1, 0.95, 2, 2.0), "boost-window cannot be negative");
        assertRejected(() -> policy(Map.of("salt", "s", "period", "PT1H", "epoch", "PT7M")), "must be a whole multiple of epoch");
    }

    @Test
    void budgetsAreWholeNumbersOrNone() {
        assertEquals(OptionalLong.of(12), SamplingPolicy.parseBudget(" 12 ", "k"));
        assertEquals(OptionalLong.empty(), SamplingPolicy.parseBudget("none", "k"));
        assertEquals(OptionalLong.empty(), SamplingPolicy.parseBudget("", "k"));
        assertRejected(() -> SamplingPolicy.parseBudget("-1", "k"), "k cannot be negative");
        assertRejected(() -> SamplingPolicy.parseBudget("lots", "k"), "k must be a whole number or 'none'");
    }

    @Test
    void strataAreACopyKeptInOrder() {
        TreeMap<StratumKey, StratumQuota> strata = new TreeMap<>(Map.of(StratumKey.ofModel("b"), StratumQuota.unbudgeted(0.1)));
        SamplingPolicy policy = new SamplingPolicy("s", false, VALID.clock(), VALID.boostWindow(), VALID.boostGrace(),
                VALID.defaultStratum(), strata, 1, 1, 1, 0.95, 2, 2.0);
        strata.put(StratumKey.ofModel("a"), StratumQuota.unbudgeted(0.2));
        assertEquals(1, policy.strata().size(), "later changes to the caller's map do not leak in");
        assertThrows(UnsupportedOperationException.class, () -> policy.strata().clear());
    }

    @Test
    void taskBudgetIsTheStratumBudgetOverThePartitions() {
        assertEquals(1000.0 / 6, StratumQuota.budgeted(0.1, 1000).taskBudget(6), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, StratumQuota.unbudgeted(0.1).taskBudget(6));
    }

    private static SamplingPolicy withSafetyRate(double safetyRate) {
        return new SamplingPolicy("s", false, VALID.clock(), VALID.boostWindow(), VALID.boostGrace(), VALID.defaultStratum(),
                VALID.strata(), safetyRate, 1, 1, 0.95, 2, 2.0);
    }

    private static SamplingPolicy with(double budgetTarget, int forecastEpochs, double burstAllowance) {
        return new SamplingPolicy("s", false, VALID.clock(), VALID.boostWindow(), VALID.boostGrace(), VALID.defaultStratum(),
                VALID.strata(), 1, 1, 1, budgetTarget, forecastEpochs, burstAllowance);
    }

    private static void assertRejected(org.junit.jupiter.api.function.Executable build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
