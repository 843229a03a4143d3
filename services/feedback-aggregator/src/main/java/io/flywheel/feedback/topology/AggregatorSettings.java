package io.flywheel.feedback.topology;

import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import java.time.Duration;

/**
 * What the topology needs to know, as plain values (the Quarkus config maps onto it).
 *
 * @param applicationId  Streams application id; names the dead-letter topic
 * @param buckets        cohort bucket width and late-feedback retention
 * @param maxClockSkew   feedback dated further than this in the future is dead-lettered
 * @param flushInterval  how often per-partition partial sums are forwarded (at most the commit interval)
 * @param drift          drift thresholds
 */
public record AggregatorSettings(String applicationId, CohortBuckets buckets, Duration maxClockSkew,
                                 Duration flushInterval, DriftDetector drift) {

    public static final String DEFAULT_APPLICATION_ID = "feedback-aggregator";

    public static AggregatorSettings defaults() {
        return new AggregatorSettings(DEFAULT_APPLICATION_ID,
                new CohortBuckets(Duration.ofHours(1), Duration.ofDays(7)),
                Duration.ofMinutes(5), Duration.ofMillis(100),
                new DriftDetector(6, 30, 3.0, 1.0));
    }
}
