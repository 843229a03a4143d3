package io.flywheel.model;

import io.flywheel.events.v1.FeedbackEvent;
import java.util.Optional;

/**
 * What every reader of {@code feedback.events} requires of an event, beyond what Protobuf can
 * say: ids present, keyed by its conversation, dated, exactly one valid signal. Services add
 * their own checks on top.
 */
public final class FeedbackEventContract {

    private FeedbackEventContract() {
    }

    /** Why the record breaks the contract, or empty when it keeps it. */
    public static Optional<String> violation(String key, FeedbackEvent event) {
        if (event.getFeedbackId().isBlank()) {
            return Optional.of("feedback_id is empty");
        }
        if (event.getCompletionId().isBlank()) {
            return Optional.of("completion_id is empty: feedback joins its completion by it");
        }
        if (!key.equals(event.getConversationId())) {
            return Optional.of("record key '" + key + "' is not the event's conversation_id '" + event.getConversationId() + "'");
        }
        if (!event.hasOccurredAt()) {
            return Optional.of("occurred_at is missing");
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
        return Optional.empty();
    }
}
