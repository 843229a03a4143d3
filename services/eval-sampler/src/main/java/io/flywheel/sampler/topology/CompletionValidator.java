package io.flywheel.sampler.topology;

import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.CompletionContract;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.time.Duration;
import java.util.Optional;

/**
 * What a screened completion must satisfy before the sampler can decide it: the shared completion
 * contract, a {@code created_at} (the sampler's event time), and a known verdict that is not BLOCK.
 * Anything else is dead-lettered.
 */
public final class CompletionValidator implements RecordValidator<ScreenedCompletion> {

    private final Duration maxClockSkew;

    public CompletionValidator(Duration maxClockSkew) {
        this.maxClockSkew = maxClockSkew;
    }

    @Override
    public Optional<String> rejectReason(String key, ScreenedCompletion screened, long wallClockMs) {
        if (!screened.hasCompletion()) {
            return Optional.of("completion is missing");
        }
        if (!screened.getCompletion().hasCreatedAt()) {
            return Optional.of("completion.created_at is missing: it is the sampler's event time");
        }
        SafetyVerdict.Decision decision = screened.getVerdict().getDecision();
        if (decision == SafetyVerdict.Decision.BLOCK) {
            return Optional.of("verdict is BLOCK: a blocked completion belongs in safety.quarantine, never in a sample");
        }
        if (decision == SafetyVerdict.Decision.UNRECOGNIZED) {
            return Optional.of("verdict.decision " + screened.getVerdict().getDecisionValue() + " is not a known decision");
        }
        return CompletionContract.violation(key, screened.getCompletion(), "completion.", wallClockMs, maxClockSkew);
    }
}
