package io.flywheel.model;

import io.flywheel.events.v1.Completion;
import java.time.Duration;
import java.util.Optional;

/**
 * What every reader of a completion requires ({@code llm.completions} in the safety-filter, the
 * completion inside {@code llm.completions.screened} in the eval-sampler): ids present and
 * within their caps, keyed by its conversation, a model name, {@code created_at} (when set) by
 * the {@link EventTime} rule, names, texts and attributes within their caps ({@link RecordLimits}).
 */
public final class CompletionContract {

    private CompletionContract() {
    }

    /**
     * Why the completion breaks the contract, naming the field, or empty when it keeps it.
     *
     * @param path        how the reader names the completion's fields: "" for a top-level
     *                    completion, {@code "completion."} inside a screened completion
     * @param wallClockMs the processing wall clock; {@code created_at} may lead it by {@code maxSkew} at most
     */
    public static Optional<String> violation(String key, Completion completion, String path, long wallClockMs,
                                             Duration maxSkew) {
        // One check after another, each answer returned as soon as present: this runs for every
        // record, so no chain of lambdas, and field names are built only for the answer.
        Optional<String> found;
        if ((found = FieldRules.serializedSize(path.isEmpty() ? "completion" : path.substring(0, path.length() - 1),
                        completion.getSerializedSize())).isPresent()
                || (found = FieldRules.requiredId(path, "completion_id", completion.getCompletionId())).isPresent()
                || (found = FieldRules.requiredId(path, "conversation_id", completion.getConversationId())).isPresent()
                || (found = FieldRules.key(key, "completion's conversation_id", completion.getConversationId())).isPresent()
                || (found = FieldRules.requiredId(path, "user_id", completion.getUserId())).isPresent()
                || (found = FieldRules.requiredName(path, "model.name", completion.getModel().getName())).isPresent()
                || (found = FieldRules.name(path, "model.version", completion.getModel().getVersion())).isPresent()
                || (found = FieldRules.name(path, "prompt_version", completion.getPromptVersion())).isPresent()
                || (found = FieldRules.name(path, "locale", completion.getLocale())).isPresent()
                || (found = FieldRules.name(path, "region", completion.getRegion())).isPresent()
                || (found = FieldRules.capped(path, "prompt_text", completion.getPromptText(), RecordLimits.MAX_TEXT_CHARS)).isPresent()
                || (found = FieldRules.capped(path, "response_text", completion.getResponseText(), RecordLimits.MAX_TEXT_CHARS)).isPresent()
                || (found = FieldRules.attributes(path, "attributes", completion.getAttributesMap())).isPresent()) {
            return found;
        }
        return completion.hasCreatedAt()
                ? EventTime.violation(path, "created_at", completion.getCreatedAt(), wallClockMs, maxSkew)
                : Optional.empty();
    }
}
