package io.flywheel.feedback.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.FeedbackEventContract;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.time.Duration;
import java.util.Optional;

/**
 * What a feedback event must satisfy before it can move a count: the shared contract (its
 * {@code occurred_at} and {@code completion_created_at} no further ahead than the allowed skew,
 * since a future vote would win every later one), plus the user and model it is counted for and
 * the completion time that names its cohort bucket. Anything else is dead-lettered.
 */
public final class FeedbackValidator implements RecordValidator<FeedbackEvent> {

    private final Duration maxClockSkew;

    public FeedbackValidator(Duration maxClockSkew) {
        this.maxClockSkew = maxClockSkew;
    }

    @Override
    public Optional<String> rejectReason(String key, FeedbackEvent event, long wallClockMs) {
        return FeedbackEventContract.violation(key, event, wallClockMs, maxClockSkew)
                .or(() -> event.getUserId().isBlank()
                        ? Optional.of("user_id is empty: votes are per completion and user") : Optional.empty())
                .or(() -> event.getModel().getName().isBlank() ? Optional.of("model.name is empty") : Optional.empty())
                .or(() -> event.hasCompletionCreatedAt() ? Optional.empty()
                        : Optional.of("completion_created_at is missing: it names the cohort bucket"));
    }
}
