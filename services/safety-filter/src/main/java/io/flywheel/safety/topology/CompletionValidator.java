package io.flywheel.safety.topology;

import io.flywheel.events.v1.Completion;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.util.Optional;

/** What a completion must satisfy to be screened; anything else is dead-lettered (restricted DLQ). */
final class CompletionValidator implements RecordValidator<Completion> {

    @Override
    public Optional<String> rejectReason(String key, Completion completion, long wallClockMs) {
        if (completion.getCompletionId().isBlank()) {
            return Optional.of("completion_id is empty");
        }
        if (completion.getConversationId().isBlank()) {
            return Optional.of("conversation_id is empty");
        }
        if (!key.equals(completion.getConversationId())) {
            return Optional.of("record key '" + key + "' is not the completion's conversation_id '"
                    + completion.getConversationId() + "'");
        }
        if (completion.getUserId().isBlank()) {
            return Optional.of("user_id is empty");
        }
        if (completion.getUserId().chars().anyMatch(Character::isISOControl)) {
            return Optional.of("user_id contains control characters");
        }
        if (!completion.hasModel() || completion.getModel().getName().isBlank()) {
            return Optional.of("model.name is empty");
        }
        return Optional.empty();
    }
}
