package io.flywheel.sampler.sampling;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What became of negative feedback in one task, or summed over tasks with {@link #merge}: how
 * many arrived, how each was joined ({@link BoostWindow.Join}; held feedback is counted again when
 * its completion arrives), and how many held ones expired without meeting their completion.
 */
public final class FeedbackJoinCounts {

    public static final FeedbackJoinCounts EMPTY = new FeedbackJoinCounts(0, new long[BoostWindow.Join.values().length], 0);

    private final long negative;
    private final long[] byJoin;
    private final long unmatchedExpired;

    private FeedbackJoinCounts(long negative, long[] byJoin, long unmatchedExpired) {
        this.negative = negative;
        this.byJoin = byJoin;
        this.unmatchedExpired = unmatchedExpired;
    }

    public static FeedbackJoinCounts of(long negative, Map<BoostWindow.Join, Long> byJoin, long unmatchedExpired) {
        long[] counts = new long[BoostWindow.Join.values().length];
        byJoin.forEach((join, count) -> counts[join.ordinal()] = count);
        return new FeedbackJoinCounts(negative, counts, unmatchedExpired);
    }

    /** Negative feedback events that arrived. */
    public long negative() {
        return negative;
    }

    public long count(BoostWindow.Join join) {
        return byJoin[join.ordinal()];
    }

    public Map<BoostWindow.Join, Long> byJoin() {
        Map<BoostWindow.Join, Long> map = new EnumMap<>(BoostWindow.Join.class);
        for (BoostWindow.Join join : BoostWindow.Join.values()) {
            map.put(join, byJoin[join.ordinal()]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Held feedback whose completion never arrived within the window. */
    public long unmatchedExpired() {
        return unmatchedExpired;
    }

    public FeedbackJoinCounts merge(FeedbackJoinCounts other) {
        long[] sum = byJoin.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.byJoin[i];
        }
        return new FeedbackJoinCounts(negative + other.negative, sum, unmatchedExpired + other.unmatchedExpired);
    }

    FeedbackJoinCounts withArrival(BoostWindow.Join join) {
        return new FeedbackJoinCounts(negative + 1, increment(join), unmatchedExpired);
    }

    FeedbackJoinCounts withResolution(BoostWindow.Join join) {
        return new FeedbackJoinCounts(negative, increment(join), unmatchedExpired);
    }

    FeedbackJoinCounts withUnmatchedExpired(long count) {
        return count == 0 ? this : new FeedbackJoinCounts(negative, byJoin, unmatchedExpired + count);
    }

    private long[] increment(BoostWindow.Join join) {
        long[] next = byJoin.clone();
        next[join.ordinal()]++;
        return next;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeedbackJoinCounts other && negative == other.negative
                && unmatchedExpired == other.unmatchedExpired && Arrays.equals(byJoin, other.byJoin);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(negative) * 31 * 31 + Arrays.hashCode(byJoin) * 31 + Long.hashCode(unmatchedExpired);
    }

    @Override
    public String toString() {
        return "FeedbackJoinCounts[negative=" + negative + ", byJoin=" + byJoin() + ", unmatchedExpired=" + unmatchedExpired + "]";
    }
}
