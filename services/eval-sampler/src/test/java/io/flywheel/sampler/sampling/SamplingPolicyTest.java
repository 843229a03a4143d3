package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SamplingPolicyTest {

    @Test
    void defaults() {
        SamplingPolicy policy = SamplingPolicy.fromProperties(Map.of("salt", "s"));
        assertEquals(Duration.ofHours(1), policy.clock().period());
        assertEquals(Duration.ofMinutes(5), policy.clock().epoch());
        assertEquals(12, policy.clock().epochsPerPeriod());
        assertEquals(Duration.ofMinutes(30), policy.boostWindow());
        assertEquals(Duration.ofMinutes(1), policy.boostGrace());
        assertFalse(policy.stratifyByLocale());
        assertEquals(StratumQuota.unbudgeted(0.01), policy.defaultStratum());
        assertEquals(1.0, policy.safetyRate());
        assertEquals(0.25, policy.driftRate());
        assertEquals(1.0, policy.negativeFeedbackRate());
        assertEquals(0.95, policy.budgetTarget());
        assertEquals(2, policy.forecastEpochs());
        assertEquals(2.0, policy.burstAllowance());
        assertTrue(policy.strata().isEmpty());
    }

    @Test
    void strataWithDotsQuotesAndLocales() {
        SamplingPolicy policy = SamplingPolicy.fromProperties(Map.of(
                "salt", "s",
                "stratify-by-locale", "true",
                "period", "1d",
                "epoch", "PT15M",
                "default.base-rate", "0.02",
                "default.budget-per-period", "1000",
                "strata.\"gpt-4.1\".base-rate", "0.2",
                "strata.claude-3.5.budget-per-period", "none",
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
        assertThrows(IllegalArgumentException.class, () -> SamplingPolicy.fromProperties(Map.of()));
        assertRejected(Map.of("salt", "s", "base-rate", "0.1"), "unknown sampling policy key 'base-rate'");
        assertRejected(Map.of("salt", "s", "safety-rate", "1.5"), "safety-rate must be a rate in [0, 1], got 1.5");
        assertRejected(Map.of("salt", "s", "strata.m.base-rate", "x"), "base-rate must be a number, got 'x'");
        assertRejected(Map.of("salt", "s", "strata.m.budget-per-period", "-1"), "cannot be negative");
        assertRejected(Map.of("salt", "s", "period", "PT1H", "epoch", "PT7M"), "must be a whole multiple of epoch");
        assertRejected(Map.of("salt", "s", "epoch", "soon"), "epoch: not a duration: 'soon'");
        assertRejected(Map.of("salt", "s", "budget-target", "0"), "budget-target must be in (0, 1]");
        assertRejected(Map.of("salt", "s", "burst-allowance", "0.5"), "burst-allowance must be at least 1");
        assertRejected(Map.of("salt", "a\0b"), "U+0000");
    }

    private static void assertRejected(Map<String, String> properties, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingPolicy.fromProperties(properties));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void shortAndIsoDurations() {
        assertEquals(Duration.ofMillis(500), SamplingPolicy.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(30), SamplingPolicy.parseDuration("30s"));
        assertEquals(Duration.ofMinutes(5), SamplingPolicy.parseDuration("5m"));
        assertEquals(Duration.ofHours(2), SamplingPolicy.parseDuration("PT2H"));
    }

    @Test
    void taskBudgetIsTheStratumBudgetOverThePartitions() {
        assertEquals(1000.0 / 6, StratumQuota.budgeted(0.1, 1000).taskBudget(6), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, StratumQuota.unbudgeted(0.1).taskBudget(6));
    }
}
