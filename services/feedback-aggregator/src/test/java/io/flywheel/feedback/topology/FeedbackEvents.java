package io.flywheel.feedback.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import java.time.Instant;

/** Builds feedback events for tests: one completion of one conversation, rated by users. */
public final class FeedbackEvents {

    public static final ModelRef MODEL = ModelRef.newBuilder().setName("gpt-test").setVersion("2026-11").build();
    public static final String PROMPT = "checkout-v3";

    private FeedbackEvents() {
    }

    public static FeedbackEvent.Builder base(String feedbackId, String conversation, String completion, String user,
                                      Instant completionCreatedAt, Instant occurredAt) {
        return FeedbackEvent.newBuilder()
                .setFeedbackId(feedbackId)
                .setConversationId(conversation)
                .setCompletionId(completion)
                .setUserId(user)
                .setModel(MODEL)
                .setPromptVersion(PROMPT)
                .setCompletionCreatedAt(Timestamps.fromMillis(completionCreatedAt.toEpochMilli()))
                .setOccurredAt(Timestamps.fromMillis(occurredAt.toEpochMilli()));
    }

    public static FeedbackEvent thumb(String feedbackId, String completion, String user, Instant created, Instant at, boolean up) {
        return base(feedbackId, "conv-" + completion, completion, user, created, at)
                .setThumb(up ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN).build();
    }

    public static FeedbackEvent rating(String feedbackId, String completion, String user, Instant created, Instant at, int stars) {
        return base(feedbackId, "conv-" + completion, completion, user, created, at).setRating(stars).build();
    }

    public static FeedbackEvent cleared(String feedbackId, String completion, String user, Instant created, Instant at) {
        return base(feedbackId, "conv-" + completion, completion, user, created, at)
                .setCleared(FeedbackEvent.Cleared.getDefaultInstance()).build();
    }

    public static FeedbackEvent regenerated(String feedbackId, String completion, String user, Instant created, Instant at) {
        return base(feedbackId, "conv-" + completion, completion, user, created, at)
                .setRegenerated(FeedbackEvent.Regenerated.getDefaultInstance()).build();
    }

    public static FeedbackEvent reported(String feedbackId, String completion, String user, Instant created, Instant at, String reason) {
        return base(feedbackId, "conv-" + completion, completion, user, created, at)
                .setReported(FeedbackEvent.Reported.newBuilder().setReason(reason)).build();
    }
}
