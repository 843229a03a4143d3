package io.flywheel.safety.topology;

/**
 * Names of the safety-filter's stores and internal topics, in one place that the topology, its
 * processors and the query layer import. Renaming one loses state on upgrade (the snapshot test
 * guards the names).
 */
public final class SafetyStores {

    /**
     * Global, persistent: the decoded state of each policy id (the topic is its changelog); a
     * restart reads safety.policies only from the checkpoint on, so no registry is needed for what
     * was read before.
     */
    public static final String POLICIES_STORE = "safety-policies";
    public static final String VERDICTS_STORE = "safety-conversation-verdicts";
    public static final String VERDICT_EXPIRY_STORE = "safety-verdict-expiry";
    public static final String FINDINGS_REPARTITION = "safety-findings-by-user";
    public static final String RISK_STORE = "safety-user-risk";
    public static final String ESCALATIONS_STORE = "safety-escalations";
    public static final String RISK_EXPIRY_STORE = "safety-risk-expiry";

    private SafetyStores() {
    }
}
