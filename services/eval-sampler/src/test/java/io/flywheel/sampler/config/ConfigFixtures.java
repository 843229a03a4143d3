package io.flywheel.sampler.config;

import io.flywheel.sampler.sampling.SamplingPolicy;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The sampler's settings built from plain properties the way the service reads them (the same
 * mapping, converters and defaults), so tests never restate a default of {@link SamplerConfig}.
 */
public final class ConfigFixtures {

    private static final String PREFIX = "flywheel.sampler.";

    private ConfigFixtures() {
    }

    /** The config of full keys ({@code flywheel.sampler.salt}, ...). */
    public static SamplerConfig samplerConfig(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SamplerConfig.class)
                // Quarkus's own duration converter ("5m", "1h", ISO-8601), as in the service.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(SamplerConfig.class);
    }

    /**
     * The sampling policy of keys given relative to {@code flywheel.sampler.}, e.g.
     * {@code policy(Map.of("salt", "s", "strata.\"gpt-4.1\".base-rate", "0.2"))}.
     */
    public static SamplingPolicy policy(Map<String, String> keys) {
        Map<String, String> properties = new HashMap<>();
        keys.forEach((key, value) -> properties.put(PREFIX + key, value));
        return samplerConfig(properties).toPolicy();
    }
}
