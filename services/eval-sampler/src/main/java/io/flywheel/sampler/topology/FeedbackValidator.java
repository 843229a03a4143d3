package io.flywheel.sampler.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.util.Optional;

/** What a feedback event must satisfy before the boost window can judge it; anything else is dead-lettered. */
public final class FeedbackValidator implements RecordValidator<FeedbackEvent> {

    @Override
    public Optional<String> rejectReason(String key, FeedbackEvent event, long wallClockMs) {
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
            return Optional.of("occurred_at is missing: the boost window is judged by it");
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
