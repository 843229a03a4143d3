package io.flywheel.sampler.sampling;

import java.util.Objects;
import java.util.Optional;

/**
 * A completion the boost window remembers until {@code expiresAtMs} (stream time): enough to
 * recognise a re-delivery and to judge negative feedback on it, plus the payload itself only
 * while feedback could still pull it into the sample.
 *
 * @param arrivalRates the rates that applied when it arrived (baseline, safety, drift): a boost
 *                     decided later uses these, so both arrival orders decide the same
 * @param boosted      already sampled for NEGATIVE_FEEDBACK (never twice)
 * @param payload      present only while a boost is still possible
 */
public record RememberedCompletion<C>(CompletionRef ref, long createdAtMs, long expiresAtMs,
                                      ApplicableRates arrivalRates, boolean boosted, Optional<C> payload) {

    public RememberedCompletion {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(arrivalRates, "arrivalRates");
        Objects.requireNonNull(payload, "payload");
    }

    /** This completion once boosted: the payload is no longer needed. */
    public RememberedCompletion<C> asBoosted() {
        return new RememberedCompletion<>(ref, createdAtMs, expiresAtMs, arrivalRates, true, Optional.empty());
    }
}
