package io.flywheel.feedback.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.FeedbackEventContract;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.time.Duration;
import java.util.Optional;

/** What a feedback event must satisfy before it can move a count; anything else is dead-lettered. */
public final class FeedbackValidator implements RecordValidator<FeedbackEvent> {

    private final Duration maxClockSkew;

    public FeedbackValidator(Duration maxClockSkew) {
        this.maxClockSkew = maxClockSkew;
    }

    @Override
    public Optional<String> rejectReason(String key, FeedbackEvent event, long wallClockMs) {
        Optional<String> contract = FeedbackEventContract.violation(key, event);
        if (contract.isPresent()) {
            return contract;
        }
        if (event.getUserId().isBlank()) {
            return Optional.of("user_id is empty: votes are per completion and user");
        }
        if (!event.hasModel() || event.getModel().getName().isBlank()) {
            return Optional.of("model.name is empty");
        }
        if (!event.hasCompletionCreatedAt()) {
            return Optional.of("completion_created_at is missing: it names the cohort bucket");
        }
        long occurredAt = Timestamps.toMillis(event.getOccurredAt());
        if (occurredAt > wallClockMs + maxClockSkew.toMillis()) {
            return Optional.of("occurred_at " + Timestamps.toString(event.getOccurredAt()) + " is more than "
                    + maxClockSkew + " in the future: it would win every later vote");
        }
        return Optional.empty();
    }
}
