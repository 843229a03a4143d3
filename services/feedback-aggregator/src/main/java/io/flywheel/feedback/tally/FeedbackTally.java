package io.flywheel.feedback.tally;

import io.flywheel.events.v1.CohortBucket;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.ModelRef;
import java.util.Map;

/**
 * Counter arithmetic on {@link FeedbackAggregate}s. The same message carries a delta (signed
 * counters, from vote resolution), a partial sum (one partition's deltas between flushes) and
 * the aggregate itself (plus the derived rates).
 */
public final class FeedbackTally {

    public static final int RATING_LEVELS = 5;
    /** 97.5th percentile of the standard normal: two-sided 95 %. */
    private static final double Z_95 = 1.959963984540054;

    private FeedbackTally() {
    }

    /** An aggregate with every counter at zero, for the given key. */
    public static FeedbackAggregate.Builder zero(ModelRef model, String promptVersion, CohortBucket bucket) {
        FeedbackAggregate.Builder builder = FeedbackAggregate.newBuilder().setModel(model).setPromptVersion(promptVersion);
        if (bucket != null) {
            builder.setBucket(bucket);
        }
        for (int i = 0; i < RATING_LEVELS; i++) {
            builder.addRatingHistogram(0);
        }
        return builder;
    }

    /** A delta with every counter at zero and no key. */
    public static FeedbackAggregate.Builder zeroDelta() {
        FeedbackAggregate.Builder builder = FeedbackAggregate.newBuilder();
        for (int i = 0; i < RATING_LEVELS; i++) {
            builder.addRatingHistogram(0);
        }
        return builder;
    }

    /** Adds every counter of {@code delta} into {@code into} (key and derived fields untouched). */
    public static void add(FeedbackAggregate.Builder into, FeedbackAggregate delta) {
        while (into.getRatingHistogramCount() < RATING_LEVELS) {
            into.addRatingHistogram(0);
        }
        into.setThumbsUp(into.getThumbsUp() + delta.getThumbsUp());
        into.setThumbsDown(into.getThumbsDown() + delta.getThumbsDown());
        into.setRatingCount(into.getRatingCount() + delta.getRatingCount());
        into.setRatingSum(into.getRatingSum() + delta.getRatingSum());
        for (int i = 0; i < delta.getRatingHistogramCount(); i++) {
            into.setRatingHistogram(i, into.getRatingHistogram(i) + delta.getRatingHistogram(i));
        }
        into.setRegenerations(into.getRegenerations() + delta.getRegenerations());
        into.setCopies(into.getCopies() + delta.getCopies());
        for (Map.Entry<String, Long> report : delta.getReportsByReasonMap().entrySet()) {
            long total = into.getReportsByReasonOrDefault(report.getKey(), 0) + report.getValue();
            if (total == 0) {
                into.removeReportsByReason(report.getKey());
            } else {
                into.putReportsByReason(report.getKey(), total);
            }
        }
        into.setTooLate(into.getTooLate() + delta.getTooLate());
    }

    /** True when a delta changes nothing. */
    public static boolean isZero(FeedbackAggregate delta) {
        if (delta.getThumbsUp() != 0 || delta.getThumbsDown() != 0 || delta.getRatingCount() != 0 || delta.getRatingSum() != 0
                || delta.getRegenerations() != 0 || delta.getCopies() != 0 || delta.getTooLate() != 0) {
            return false;
        }
        for (int i = 0; i < delta.getRatingHistogramCount(); i++) {
            if (delta.getRatingHistogram(i) != 0) {
                return false;
            }
        }
        for (long count : delta.getReportsByReasonMap().values()) {
            if (count != 0) {
                return false;
            }
        }
        return true;
    }

    /** Sets approval rate, its Wilson 95 % lower bound and the mean rating from the counters. */
    public static FeedbackAggregate.Builder derive(FeedbackAggregate.Builder aggregate) {
        long up = aggregate.getThumbsUp();
        long votes = up + aggregate.getThumbsDown();
        aggregate.setApprovalRate(votes == 0 ? 0 : (double) up / votes);
        aggregate.setApprovalWilsonLower(wilsonLowerBound(up, votes));
        aggregate.setMeanRating(aggregate.getRatingCount() == 0 ? 0 : (double) aggregate.getRatingSum() / aggregate.getRatingCount());
        return aggregate;
    }

    /** Lower bound of the Wilson score interval at 95 % for {@code successes} out of {@code trials}; 0 when none. */
    public static double wilsonLowerBound(long successes, long trials) {
        if (trials <= 0) {
            return 0;
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z_95 * Z_95;
        double centre = p + z2 / (2 * n);
        double margin = Z_95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return Math.max(0, (centre - margin) / (1 + z2 / n));
    }
}
