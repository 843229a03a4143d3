package io.flywheel.safety.topology;

import io.flywheel.events.v1.Completion;
import io.flywheel.model.CompletionContract;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.time.Duration;
import java.util.Optional;

/** What a completion must satisfy to be screened: the shared contract; anything else is dead-lettered (restricted DLQ). */
final class CompletionValidator implements RecordValidator<Completion> {

    private final Duration maxClockSkew;

    CompletionValidator(Duration maxClockSkew) {
        this.maxClockSkew = maxClockSkew;
    }

    @Override
    public Optional<String> rejectReason(String key, Completion completion, long wallClockMs) {
        return CompletionContract.violation(key, completion, "", wallClockMs, maxClockSkew);
    }
}
