package io.flywheel.sampler.topology;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.util.Optional;

/** What a screened completion must satisfy before the sampler can decide it; anything else is dead-lettered. */
public final class CompletionValidator implements RecordValidator<ScreenedCompletion> {

    @Override
    public Optional<String> rejectReason(String key, ScreenedCompletion screened, long wallClockMs) {
        if (!screened.hasCompletion()) {
            return Optional.of("completion is missing");
        }
        Completion completion = screened.getCompletion();
        if (completion.getCompletionId().isBlank()) {
            return Optional.of("completion.completion_id is empty");
        }
        if (!key.equals(completion.getConversationId())) {
            return Optional.of("record key '" + key + "' is not the completion's conversation_id '"
                    + completion.getConversationId() + "'");
        }
        if (!completion.hasModel() || completion.getModel().getName().isBlank()) {
            return Optional.of("completion.model.name is empty: it names the stratum");
        }
        if (!completion.hasCreatedAt()) {
            return Optional.of("completion.created_at is missing: it is the sampler's event time");
        }
        if (screened.getVerdict().getDecision() == SafetyVerdict.Decision.BLOCK) {
            return Optional.of("verdict is BLOCK: a blocked completion belongs in safety.quarantine, never in a sample");
        }
        return Optional.empty();
    }
}
