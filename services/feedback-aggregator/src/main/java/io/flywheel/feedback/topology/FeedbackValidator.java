package io.flywheel.feedback.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
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
        if (event.getFeedbackId().isBlank()) {
            return Optional.of("feedback_id is empty");
        }
        if (event.getCompletionId().isBlank()) {
            return Optional.of("completion_id is empty");
        }
        if (event.getUserId().isBlank()) {
            return Optional.of("user_id is empty");
        }
        if (!key.equals(event.getConversationId())) {
            return Optional.of("record key '" + key + "' is not the event's conversation_id '" + event.getConversationId() + "'");
        }
        if (!event.hasModel() || event.getModel().getName().isBlank()) {
            return Optional.of("model.name is empty");
        }
        if (!event.hasOccurredAt()) {
            return Optional.of("occurred_at is missing");
        }
        if (!event.hasCompletionCreatedAt()) {
            return Optional.of("completion_created_at is missing");
        }
        if (event.getSignalCase() == FeedbackEvent.SignalCase.SIGNAL_NOT_SET) {
            return Optional.of("no signal: one of thumb, rating, regenerated, copied, reported, cleared is required");
        }
        if (event.getSignalCase() == FeedbackEvent.SignalCase.THUMB
                && event.getThumb() != FeedbackEvent.Thumb.THUMB_UP && event.getThumb() != FeedbackEvent.Thumb.THUMB_DOWN) {
            return Optional.of("thumb must be THUMB_UP or THUMB_DOWN, got " + event.getThumbValue());
        }
        if (event.getSignalCase() == FeedbackEvent.SignalCase.RATING && (event.getRating() < 1 || event.getRating() > 5)) {
            return Optional.of("rating must be 1 to 5, got " + event.getRating());
        }
        long occurredAt = Timestamps.toMillis(event.getOccurredAt());
        if (occurredAt > wallClockMs + maxClockSkew.toMillis()) {
            return Optional.of("occurred_at " + Timestamps.toString(event.getOccurredAt()) + " is more than "
                    + maxClockSkew + " in the future: it would win every later vote");
        }
        return Optional.empty();
    }
}
