package io.flywheel.sampler.topology;

import io.flywheel.model.EventTime;
import io.flywheel.model.Topics;
import java.time.Duration;
import io.flywheel.sampler.sampling.SamplingPolicy;
import java.util.Objects;

/**
 * What the topology needs to know, as plain values (the Quarkus config maps onto it).
 *
 * @param applicationId Streams application id; names the dead-letter topic
 * @param policy        the sampling policy
 * @param partitions    partitions of the input topics: each task holds budget ÷ partitions
 * @param maxClockSkew  an input dated further than this ahead of the wall clock is dead-lettered
 */
public record SamplerSettings(String applicationId, SamplingPolicy policy, int partitions, Duration maxClockSkew) {

    public static final String DEFAULT_APPLICATION_ID = "eval-sampler";

    public SamplerSettings {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(policy, "policy");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (maxClockSkew.isNegative() || maxClockSkew.isZero()) {
            throw new IllegalArgumentException("max clock skew must be positive, got " + maxClockSkew);
        }
    }

    public SamplerSettings(String applicationId, SamplingPolicy policy, int partitions) {
        this(applicationId, policy, partitions, EventTime.DEFAULT_MAX_SKEW);
    }

    public SamplerSettings(String applicationId, SamplingPolicy policy) {
        this(applicationId, policy, Topics.CONVERSATION_PARTITIONS);
    }
}
