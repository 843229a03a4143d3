package io.flywheel.feedback.topology;

import io.flywheel.events.v1.FeedbackAggregate;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The all-time aggregates of a task three times over, so listing and top-K read only what they
 * answer: by key ({@code k/<key>}), by approval ({@code a/<rank>/<key>}) and by volume
 * ({@code v/<rank>/<key>}), where the rank is 16 hex digits that sort the highest value first and
 * equal values by key, as the query's ranking does. Updated with each all-time aggregate.
 */
public final class KeyIndex {

    public static final String BY_KEY = "k/";
    public static final String BY_APPROVAL = "a/";
    public static final String BY_VOLUME = "v/";
    /** Length of a rank and the '/' after it. */
    public static final int RANK_LENGTH = 17;
    /** Above every character of an encoded aggregate key (they are URL-encoded, so ASCII). */
    public static final String END = "\uffff";

    private final KeyValueStore<String, FeedbackAggregate> store;

    KeyIndex(KeyValueStore<String, FeedbackAggregate> store) {
        this.store = store;
    }

    /** Replaces {@code previous} (null for a new key) by {@code updated} as the all-time aggregate of {@code key}. */
    void update(String key, FeedbackAggregate previous, FeedbackAggregate updated) {
        if (previous != null) {
            store.delete(BY_APPROVAL + approvalRank(previous) + '/' + key);
            store.delete(BY_VOLUME + volumeRank(previous) + '/' + key);
        }
        store.put(BY_KEY + key, updated);
        store.put(BY_APPROVAL + approvalRank(updated) + '/' + key, updated);
        store.put(BY_VOLUME + volumeRank(updated) + '/' + key, updated);
    }

    /** Thumbs and ratings: what VOLUME ranks by. */
    public static long volume(FeedbackAggregate aggregate) {
        return aggregate.getThumbsUp() + aggregate.getThumbsDown() + aggregate.getRatingCount();
    }

    /** Non-negative doubles order as their bits do; subtracting from the maximum puts the highest first. */
    static String approvalRank(FeedbackAggregate aggregate) {
        return descending(Double.doubleToLongBits(Math.max(0.0, aggregate.getApprovalWilsonLower())));
    }

    static String volumeRank(FeedbackAggregate aggregate) {
        return descending(Math.max(0, volume(aggregate)));
    }

    private static String descending(long nonNegative) {
        String hex = Long.toHexString(Long.MAX_VALUE - nonNegative);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
