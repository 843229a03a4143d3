package io.flywheel.verification.workload;

import java.util.Set;

/**
 * What a valid completion's text was seeded with, as categories of the default policy pack (or of
 * the run's own policy, {@link #RUN_POLICY_CATEGORY}), and where: the expected decision follows
 * from these and the documented policies, never from a detector.
 */
public enum SeededContent {
    PLAIN(Set.of()),
    EMAIL_IN_RESPONSE(Set.of("email")),
    INJECTION_IN_PROMPT(Set.of("prompt_injection")),
    CONFIDENTIAL_MARKER_IN_RESPONSE(Set.of("confidential")),
    PRIVATE_KEY_IN_RESPONSE(Set.of("private_key")),
    EMAIL_AND_INJECTION(Set.of("email", "prompt_injection")),
    RUN_KEYWORD_IN_RESPONSE(Set.of(SeededContent.RUN_POLICY_CATEGORY));

    /**
     * A keyword policy every run applies on {@code safety.policies} before any traffic: it BLOCKs
     * {@link #RUN_POLICY_KEYWORD}, so a run shows that a custom policy stays in force throughout
     * (kills, broker restarts, registry outages).
     */
    public static final String RUN_POLICY_ID = "verification.blocked-word";
    public static final String RUN_POLICY_CATEGORY = "verification_blocked_word";
    public static final String RUN_POLICY_KEYWORD = "zanzibarquux";

    public final Set<String> categories;

    SeededContent(Set<String> categories) {
        this.categories = categories;
    }
}
