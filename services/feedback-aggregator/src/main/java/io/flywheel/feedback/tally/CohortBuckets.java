package io.flywheel.feedback.tally;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.CohortBucket;
import java.time.Duration;
import java.time.Instant;

/**
 * Cohort buckets: fixed-width, epoch-aligned slices of completion time. A bucket stays open for
 * feedback while stream time is within {@code retention} of its end.
 */
public record CohortBuckets(Duration width, Duration retention) {

    public CohortBuckets {
        if (width.isZero() || width.isNegative()) {
            throw new IllegalArgumentException("bucket width must be positive, got " + width);
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("bucket retention must not be negative, got " + retention);
        }
    }

    public long startOf(long timestampMs) {
        return Math.floorDiv(timestampMs, width.toMillis()) * width.toMillis();
    }

    public long endOf(long bucketStartMs) {
        return bucketStartMs + width.toMillis();
    }

    /** Feedback for the bucket starting at {@code bucketStartMs} still updates it at {@code streamTimeMs}. */
    public boolean isOpen(long bucketStartMs, long streamTimeMs) {
        return streamTimeMs <= endOf(bucketStartMs) + retention.toMillis();
    }

    public CohortBucket bucket(long bucketStartMs) {
        return CohortBucket.newBuilder()
                .setStart(Timestamps.fromMillis(bucketStartMs))
                .setEnd(Timestamps.fromMillis(endOf(bucketStartMs)))
                .build();
    }

    public static Instant startInstant(CohortBucket bucket) {
        return Instant.ofEpochMilli(Timestamps.toMillis(bucket.getStart()));
    }
}
