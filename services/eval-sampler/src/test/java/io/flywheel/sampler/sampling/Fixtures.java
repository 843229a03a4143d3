package io.flywheel.sampler.sampling;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;

/** Builders for the events the sampler reads. */
final class Fixtures {

    private Fixtures() {
    }

    static ScreenedCompletion completion(String conversationId, String completionId, String model, long createdAtMs) {
        return completion(conversationId, completionId, model, "", createdAtMs, SafetyVerdict.Decision.ALLOW);
    }

    static ScreenedCompletion completion(String conversationId, String completionId, String model, String locale,
                                         long createdAtMs, SafetyVerdict.Decision decision) {
        ModelRef modelRef = ModelRef.newBuilder().setName(model).setVersion("v1").build();
        Completion completion = Completion.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setUserId("user-" + conversationId)
                .setModel(modelRef)
                .setPromptVersion("p1")
                .setLocale(locale)
                .setResponseText("response of " + completionId)
                .setCreatedAt(Timestamps.fromMillis(createdAtMs))
                .build();
        SafetyVerdict verdict = SafetyVerdict.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setModel(modelRef)
                .setDecision(decision)
                .setPolicySetRevision("test@0")
                .setEvaluatedAt(Timestamps.fromMillis(createdAtMs))
                .build();
        return ScreenedCompletion.newBuilder().setCompletion(completion).setVerdict(verdict).build();
    }

    static FeedbackEvent thumbDown(String feedbackId, ScreenedCompletion on, long occurredAtMs) {
        return feedback(feedbackId, on, occurredAtMs).setThumb(FeedbackEvent.Thumb.THUMB_DOWN).build();
    }

    static FeedbackEvent.Builder feedback(String feedbackId, ScreenedCompletion on, long occurredAtMs) {
        Completion completion = on.getCompletion();
        return FeedbackEvent.newBuilder()
                .setFeedbackId(feedbackId)
                .setConversationId(completion.getConversationId())
                .setCompletionId(completion.getCompletionId())
                .setUserId(completion.getUserId())
                .setModel(completion.getModel())
                .setPromptVersion(completion.getPromptVersion())
                .setCompletionCreatedAt(completion.getCreatedAt())
                .setOccurredAt(Timestamps.fromMillis(occurredAtMs));
    }
}
