package io.flywheel.verification.workload;

import java.util.Set;

/**
 * What a valid completion's text was seeded with, as categories of the default policy pack, and
 * where: the expected decision follows from these and the documented pack, never from a detector.
 */
public enum SeededContent {
    PLAIN(Set.of()),
    EMAIL_IN_RESPONSE(Set.of("email")),
    INJECTION_IN_PROMPT(Set.of("prompt_injection")),
    CONFIDENTIAL_MARKER_IN_RESPONSE(Set.of("confidential")),
    PRIVATE_KEY_IN_RESPONSE(Set.of("private_key")),
    EMAIL_AND_INJECTION(Set.of("email", "prompt_injection"));

    public final Set<String> categories;

    SeededContent(Set<String> categories) {
        this.categories = categories;
    }
}
