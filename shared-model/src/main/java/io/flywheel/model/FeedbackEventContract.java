package io.flywheel.model;

import io.flywheel.events.v1.FeedbackEvent;
import java.time.Duration;
import java.util.Optional;

/**
 * What every reader of {@code feedback.events} requires of an event, beyond what Protobuf can
 * say: ids present and within their caps, keyed by its conversation, dated by the
 * {@link EventTime} rule, exactly one valid signal, names and texts within their caps
 * ({@link RecordLimits}). Services add their own checks on top.
 */
public final class FeedbackEventContract {

    private FeedbackEventContract() {
    }

    /**
     * Why the record breaks the contract, naming the field, or empty when it keeps it.
     *
     * @param wallClockMs the processing wall clock; event times may lead it by {@code maxSkew} at most
     */
    public static Optional<String> violation(String key, FeedbackEvent event, long wallClockMs, Duration maxSkew) {
        return FieldRules.serializedSize("feedback event", event.getSerializedSize())
                .or(() -> FieldRules.requiredId("feedback_id", event.getFeedbackId()))
                .or(() -> FieldRules.requiredId("completion_id", event.getCompletionId())
                        .map(v -> v + ": feedback joins its completion by it"))
                .or(() -> FieldRules.requiredId("conversation_id", event.getConversationId()))
                .or(() -> FieldRules.key(key, "event's conversation_id", event.getConversationId()))
                .or(() -> FieldRules.optionalId("user_id", event.getUserId()))
                .or(() -> FieldRules.name("model.name", event.getModel().getName()))
                .or(() -> FieldRules.name("model.version", event.getModel().getVersion()))
                .or(() -> FieldRules.name("prompt_version", event.getPromptVersion()))
                .or(() -> FieldRules.capped("comment", event.getComment(), RecordLimits.MAX_COMMENT_CHARS))
                .or(() -> event.hasOccurredAt() ? Optional.empty() : Optional.of("occurred_at is missing"))
                .or(() -> EventTime.violation("occurred_at", event.getOccurredAt(), wallClockMs, maxSkew))
                .or(() -> event.hasCompletionCreatedAt()
                        ? EventTime.violation("completion_created_at", event.getCompletionCreatedAt(), wallClockMs, maxSkew)
                        : Optional.empty())
                .or(() -> signalViolation(event));
    }

    private static Optional<String> signalViolation(FeedbackEvent event) {
        return switch (event.getSignalCase()) {
            case SIGNAL_NOT_SET -> Optional.of("no signal: one of thumb, rating, regenerated, copied, reported, cleared is required");
            case THUMB -> event.getThumb() == FeedbackEvent.Thumb.THUMB_UP || event.getThumb() == FeedbackEvent.Thumb.THUMB_DOWN
                    ? Optional.empty() : Optional.of("thumb must be THUMB_UP or THUMB_DOWN, got " + event.getThumbValue());
            case RATING -> event.getRating() >= 1 && event.getRating() <= 5
                    ? Optional.empty() : Optional.of("rating must be 1 to 5, got " + event.getRating());
            case REPORTED -> FieldRules.name("reported.reason", event.getReported().getReason());
            case REGENERATED, COPIED, CLEARED -> Optional.empty();
        };
    }
}
