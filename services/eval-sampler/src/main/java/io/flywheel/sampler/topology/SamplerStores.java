package io.flywheel.sampler.topology;

/**
 * Names of the eval-sampler's stores, in one place that the topology, its processors and the
 * query layer import. Renaming one loses state on upgrade (the snapshot test guards the names).
 */
public final class SamplerStores {

    /** Per stratum: budget pacer and statistics (queried by the stats and list calls). */
    public static final String STRATA_STORE = "sampler-strata";
    /** Per task: stream time, feedback join counts, boost-window entry counts. */
    public static final String TASK_STORE = "sampler-task";
    public static final String BOOST_COMPLETIONS_STORE = "sampler-boost-completions";
    public static final String BOOST_PENDING_STORE = "sampler-boost-pending";
    public static final String BOOST_EXPIRY_STORE = "sampler-boost-expiry";
    /** Global: the latest drift alert per model key. */
    public static final String DRIFT_ALERTS_STORE = "sampler-drift-alerts";

    private SamplerStores() {
    }
}
