package io.flywheel.feedback.topology;

/**
 * Names of the feedback-aggregator's stores and internal topics, in one place that the topology,
 * its processors and the query layer import. Renaming one loses state on upgrade (the snapshot
 * test guards the names).
 */
public final class FeedbackStores {

    public static final String VOTES_STORE = "feedback-votes";
    public static final String PARTIALS_STORE = "feedback-partials";
    public static final String DELTAS_REPARTITION = "feedback-partials-by-model";
    public static final String AGGREGATES_STORE = "feedback-aggregates";
    public static final String DRIFT_STORE = "feedback-drift";

    private FeedbackStores() {
    }
}
