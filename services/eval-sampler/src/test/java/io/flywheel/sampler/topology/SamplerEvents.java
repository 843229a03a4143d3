package io.flywheel.sampler.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.sampling.ConversationDraw;

/** Builders for the events the sampler topology reads. */
final class SamplerEvents {

    static final String PROMPT = "p1";

    private SamplerEvents() {
    }

    static ScreenedCompletion completion(String conversationId, String completionId, String model, long createdAtMs,
                                         SafetyVerdict.Decision decision) {
        ModelRef modelRef = ModelRef.newBuilder().setName(model).setVersion("v1").build();
        Completion completion = Completion.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setUserId("user-" + conversationId)
                .setModel(modelRef)
                .setPromptVersion(PROMPT)
                .setLocale("en-GB")
                .setPromptText("prompt of " + completionId)
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

    static ScreenedCompletion completion(String conversationId, String completionId, String model, long createdAtMs) {
        return completion(conversationId, completionId, model, createdAtMs, SafetyVerdict.Decision.ALLOW);
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

    static FeedbackEvent thumbDown(String feedbackId, ScreenedCompletion on, long occurredAtMs) {
        return feedback(feedbackId, on, occurredAtMs).setThumb(FeedbackEvent.Thumb.THUMB_DOWN).build();
    }

    static DriftAlert alert(String model, DriftAlert.State state, long emittedAtMs) {
        return DriftAlert.newBuilder()
                .setModel(ModelRef.newBuilder().setName(model).setVersion("v1"))
                .setPromptVersion(PROMPT)
                .setState(state)
                .setEmittedAt(Timestamps.fromMillis(emittedAtMs))
                .build();
    }

    /** The first conversation id {@code prefix + i} whose draw lies in [lo, hi). */
    static String conversationWithDraw(ConversationDraw draw, String prefix, double lo, double hi) {
        for (int i = 0; ; i++) {
            double u = draw.u(prefix + i);
            if (u >= lo && u < hi) {
                return prefix + i;
            }
        }
    }
}
