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
        // One check after another, each answer returned as soon as present: this runs for every
        // record, so no chain of lambdas and no field names built per call.
        Optional<String> found;
        if ((found = FieldRules.serializedSize("feedback event", event.getSerializedSize())).isPresent()
                || (found = FieldRules.requiredId("feedback_id", event.getFeedbackId())).isPresent()
                || (found = FieldRules.requiredId("completion_id", event.getCompletionId())
                        .map(v -> v + ": feedback joins its completion by it")).isPresent()
                || (found = FieldRules.requiredId("conversation_id", event.getConversationId())).isPresent()
                || (found = FieldRules.key(key, "event's conversation_id", event.getConversationId())).isPresent()
                || (found = FieldRules.optionalId("user_id", event.getUserId())).isPresent()
                || (found = FieldRules.name("model.name", event.getModel().getName())).isPresent()
                || (found = FieldRules.name("model.version", event.getModel().getVersion())).isPresent()
                || (found = FieldRules.name("prompt_version", event.getPromptVersion())).isPresent()
                || (found = FieldRules.capped("comment", event.getComment(), RecordLimits.MAX_COMMENT_CHARS)).isPresent()) {
            return found;
        }
        if (!event.hasOccurredAt()) {
            return Optional.of("occurred_at is missing");
        }
        if ((found = EventTime.violation("occurred_at", event.getOccurredAt(), wallClockMs, maxSkew)).isPresent()
                || event.hasCompletionCreatedAt() && (found = EventTime.violation("completion_created_at",
                        event.getCompletionCreatedAt(), wallClockMs, maxSkew)).isPresent()) {
            return found;
        }
        return signalViolation(event);
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
