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
 * @param voteExpiry     how long after its completion was created a vote ledger is kept; later feedback is not counted
 * @param bucketRemoval  how long after its retention a cohort bucket's aggregate stays in the store
 */
public record AggregatorSettings(String applicationId, CohortBuckets buckets, Duration maxClockSkew,
                                 Duration flushInterval, DriftDetector drift, Duration voteExpiry, Duration bucketRemoval) {

    public static final String DEFAULT_APPLICATION_ID = "feedback-aggregator";
    public static final Duration DEFAULT_VOTE_EXPIRY = Duration.ofDays(30);
    public static final Duration DEFAULT_BUCKET_REMOVAL = Duration.ofDays(1);

    public AggregatorSettings {
        if (voteExpiry.isNegative() || voteExpiry.isZero()) {
            throw new IllegalArgumentException("vote expiry must be positive, got " + voteExpiry);
        }
        if (bucketRemoval.isNegative()) {
            throw new IllegalArgumentException("bucket removal delay must not be negative, got " + bucketRemoval);
        }
    }

    /** With the default vote expiry and bucket removal delay. */
    public AggregatorSettings(String applicationId, CohortBuckets buckets, Duration maxClockSkew, Duration flushInterval,
                              DriftDetector drift) {
        this(applicationId, buckets, maxClockSkew, flushInterval, drift, DEFAULT_VOTE_EXPIRY, DEFAULT_BUCKET_REMOVAL);
    }

    public static AggregatorSettings defaults() {
        return new AggregatorSettings(DEFAULT_APPLICATION_ID,
                new CohortBuckets(Duration.ofHours(1), Duration.ofDays(7)),
                Duration.ofMinutes(5), Duration.ofMillis(100),
                new DriftDetector(6, 30, 3.0, 1.0));
    }

    /**
     * When a bucket's aggregate leaves the store: the removal delay after its retention, and
     * never before the drift baseline (the K buckets before the newest) has moved past it.
     */
    public long bucketRemovedAtMs(long bucketStartMs) {
        long afterRetention = buckets.endOf(bucketStartMs) + buckets.retention().toMillis() + bucketRemoval.toMillis();
        long afterBaseline = buckets.endOf(bucketStartMs) + (drift.baselineBuckets() + 1L) * buckets.width().toMillis();
        return Math.max(afterRetention, afterBaseline);
    }
}
