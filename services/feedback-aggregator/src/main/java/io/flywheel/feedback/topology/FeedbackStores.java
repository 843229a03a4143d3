package io.flywheel.feedback.topology;

/**
 * Names of the feedback-aggregator's stores and internal topics, in one place that the topology,
 * its processors and the query layer import. Renaming one loses state on upgrade (the snapshot
 * test guards the names).
 */
public final class FeedbackStores {

    public static final String VOTES_STORE = "feedback-votes";
    /** Vote ledgers by expiry time (see ExpiryIndex). */
    public static final String VOTE_EXPIRY_STORE = "feedback-vote-expiry";
    public static final String PARTIALS_STORE = "feedback-partials";
    public static final String DELTAS_REPARTITION = "feedback-partials-by-model";
    public static final String AGGREGATES_STORE = "feedback-aggregates";
    public static final String DRIFT_STORE = "feedback-drift";
    /** Cohort bucket aggregates by removal time (see ExpiryIndex). */
    public static final String BUCKET_EXPIRY_STORE = "feedback-bucket-expiry";
    /** All-time aggregates by key and by rank, for listing and top-K (see KeyIndex). */
    public static final String KEY_INDEX_STORE = "feedback-key-index";

    private FeedbackStores() {
    }
}
