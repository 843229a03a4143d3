package io.flywheel.verification.workload;

import com.google.protobuf.Message;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import java.util.Optional;

/**
 * One record of the workload, in send order.
 *
 * @param recordId   unique; sent as header {@link #RECORD_HEADER} (dead letters keep it)
 * @param topic      llm.completions or feedback.events
 * @param key        the record key; null for a record sent without one
 * @param message    the value as a message, serialized through the registry; null when {@code raw} is set
 * @param raw        raw value bytes (garbage), or null
 * @param hostile    the hostile kind, empty for a valid record
 * @param seeded     for a valid completion, what its text was seeded with
 */
public record Planned(String recordId, String topic, String key, Message message, byte[] raw,
                      Optional<HostileKind> hostile, Optional<SeededContent> seeded) {

    public static final String RECORD_HEADER = "flywheel.verification.record";
    public static final String COMPLETIONS = "llm.completions";
    public static final String FEEDBACK = "feedback.events";

    public boolean valid() {
        return hostile.isEmpty();
    }

    public Completion completion() {
        return (Completion) message;
    }

    public FeedbackEvent feedback() {
        return (FeedbackEvent) message;
    }

    public boolean isValidCompletion() {
        return valid() && topic.equals(COMPLETIONS);
    }

    public boolean isValidFeedback() {
        return valid() && topic.equals(FEEDBACK);
    }
}
