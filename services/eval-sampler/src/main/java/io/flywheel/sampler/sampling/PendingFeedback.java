package io.flywheel.sampler.sampling;

import java.util.Objects;

/**
 * Negative feedback that arrived before its completion (the safety filter sits between the
 * product and the sampler), held until {@code expiresAtMs} (stream time). Only the first such
 * feedback per completion is held: one is enough to pull the completion in.
 */
public record PendingFeedback<F>(CompletionRef ref, long occurredAtMs, long completionCreatedAtMs, long expiresAtMs,
                                 F feedback) {

    public PendingFeedback {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(feedback, "feedback");
    }
}
