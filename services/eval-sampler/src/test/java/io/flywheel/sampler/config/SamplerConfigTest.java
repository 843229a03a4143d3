package io.flywheel.sampler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.topology.SamplerSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The typed keys map onto the sampling policy, defaults included. */
class SamplerConfigTest {

    private static SamplerConfig config(Map<String, String> properties) {
        return ConfigFixtures.samplerConfig(properties);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        SamplerSettings settings = config(Map.of("flywheel.sampler.salt", "s")).toSettings("eval-sampler");
        SamplingPolicy policy = settings.policy();
        assertEquals("s", policy.salt());
        assertEquals(Duration.ofHours(1), policy.clock().period());
        assertEquals(Duration.ofMinutes(5), policy.clock().epoch());
        assertEquals(Duration.ofMinutes(30), policy.boostWindow());
        assertEquals(Duration.ofMinutes(1), policy.boostGrace());
        assertEquals(0.01, policy.defaultStratum().baseRate());
        assertEquals(OptionalLong.empty(), policy.defaultStratum().budgetPerPeriod());
        assertTrue(policy.strata().isEmpty());
        assertEquals(1.0, policy.safetyRate());
        assertEquals(0.25, policy.driftRate());
        assertEquals(1.0, policy.negativeFeedbackRate());
        assertEquals(0.95, policy.budgetTarget());
        assertEquals(2, policy.forecastEpochs());
        assertEquals(2.0, policy.burstAllowance());
        assertEquals(6, settings.partitions());
        assertEquals(false, policy.stratifyByLocale());
    }

    @Test
    void strataOverrideTheDefaultKeyByKeyIncludingQuotedNamesAndNoBudget() {
        Map<String, String> properties = new HashMap<>();
        properties.put("flywheel.sampler.salt", "s");
        properties.put("flywheel.sampler.stratify-by-locale", "true");
        properties.put("flywheel.sampler.default.base-rate", "0.02");
        properties.put("flywheel.sampler.default.budget-per-period", "1000");
        properties.put("flywheel.sampler.strata.\"gpt-4.1\".base-rate", "0.2");
        properties.put("flywheel.sampler.strata.\"gpt-4.1/de-CH\".budget-per-period", "none");
        properties.put("flywheel.sampler.period", "PT2H");
        properties.put("flywheel.sampler.epoch", "10m");
        properties.put("flywheel.sampler.partitions", "12");
        SamplerSettings settings = config(properties).toSettings("eval-sampler");
        SamplingPolicy policy = settings.policy();
        assertEquals(12, settings.partitions());
        assertEquals(Duration.ofHours(2), policy.clock().period());
        assertEquals(0.2, policy.termsOf(StratumKey.of("gpt-4.1", "fr-FR")).baseRate(), "the model's entry");
        assertEquals(OptionalLong.of(1000), policy.termsOf(StratumKey.of("gpt-4.1", "fr-FR")).budgetPerPeriod());
        assertEquals(0.02, policy.termsOf(StratumKey.of("gpt-4.1", "de-CH")).baseRate(), "unset keys take the default");
        assertEquals(OptionalLong.empty(), policy.termsOf(StratumKey.of("gpt-4.1", "de-CH")).budgetPerPeriod());
        assertEquals(0.02, policy.termsOf(StratumKey.of("other", "en")).baseRate());
    }

    @Test
    void badValuesNameTheirKey() {
        IllegalArgumentException budget = assertThrows(IllegalArgumentException.class, () -> config(Map.of(
                "flywheel.sampler.salt", "s", "flywheel.sampler.strata.m.budget-per-period", "lots")).toPolicy());
        assertTrue(budget.getMessage().contains("strata.\"m\".budget-per-period"), budget.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> config(Map.of(
                "flywheel.sampler.salt", "s", "flywheel.sampler.drift-rate", "1.5")).toPolicy());
        assertTrue(rate.getMessage().contains("rate"), rate.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(
                "flywheel.sampler.salt", "s", "flywheel.sampler.period", "1h", "flywheel.sampler.epoch", "7m")).toPolicy());
    }
}
