package io.flywheel.feedback.config;

import io.flywheel.feedback.topology.AggregatorSettings;
import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The feedback-aggregator's settings; every key is listed with its default in the README. */
@ConfigMapping(prefix = "flywheel.aggregator")
public interface AggregatorConfig {

    /** Width of a cohort bucket of completion time. */
    @WithDefault("1h")
    Duration bucketWidth();

    /** How long after its end (in stream time) a bucket still takes feedback; later feedback counts in all-time only. */
    @WithDefault("7d")
    Duration bucketRetention();

    /** Feedback dated further than this past the wall clock goes to the dead-letter topic. */
    @WithDefault("5m")
    Duration maxClockSkew();

    /** How often per-partition partial sums are forwarded to the aggregates; keep it ≤ the commit interval. */
    @WithDefault("100ms")
    Duration flushInterval();

    /**
     * How long after its completion was created a (completion, user) vote ledger is kept, in
     * stream time. Feedback about an older completion is not counted (metric
     * flywheel_feedback_expired_total): its earlier vote could no longer be withdrawn.
     */
    @WithDefault("30d")
    Duration voteExpiry();

    /** How long after its retention a cohort bucket's aggregate stays in the store before it is removed. */
    @WithDefault("1d")
    Duration bucketRemovalDelay();

    Drift drift();

    interface Drift {
        /** How many previous buckets form the baseline (K). */
        @WithDefault("6")
        int baselineBuckets();

        /** Thumbs a bucket and its baseline need before they are compared. */
        @WithDefault("30")
        long minVotes();

        /** Alert when the two-proportion z statistic falls to −fire-z or below. */
        @WithDefault("3.0")
        double fireZ();

        /** Recover when z is back at −recover-z or above (the hysteresis band). */
        @WithDefault("1.0")
        double recoverZ();
    }

    default AggregatorSettings toSettings(String applicationId) {
        return new AggregatorSettings(applicationId,
                new CohortBuckets(bucketWidth(), bucketRetention()),
                maxClockSkew(), flushInterval(),
                new DriftDetector(drift().baselineBuckets(), drift().minVotes(), drift().fireZ(), drift().recoverZ()),
                voteExpiry(), bucketRemovalDelay());
    }
}
