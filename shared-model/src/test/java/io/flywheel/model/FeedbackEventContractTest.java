package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class FeedbackEventContractTest {

    private static final long NOW = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final Duration SKEW = Duration.ofMinutes(5);

    static FeedbackEvent valid() {
        return FeedbackEvent.newBuilder()
                .setFeedbackId("f1").setConversationId("conv-1").setCompletionId("c1").setUserId("u1")
                .setModel(ModelRef.newBuilder().setName("gpt-4o").setVersion("2024-08-06")).setPromptVersion("support-v7")
                .setCompletionCreatedAt(Timestamps.fromMillis(NOW - 60_000)).setOccurredAt(Timestamps.fromMillis(NOW))
                .setThumb(FeedbackEvent.Thumb.THUMB_UP)
                .build();
    }

    private static Optional<String> check(UnaryOperator<FeedbackEvent.Builder> change) {
        return FeedbackEventContract.violation("conv-1", change.apply(valid().toBuilder()).build(), NOW, SKEW);
    }

    private static void assertNames(String field, UnaryOperator<FeedbackEvent.Builder> change) {
        String reason = check(change).orElseThrow(() -> new AssertionError("accepted a record breaking " + field));
        assertTrue(reason.startsWith(field), "reason '" + reason + "' should start with " + field);
    }

    @Test
    void aValidEventKeepsTheContract() {
        assertEquals(Optional.empty(), check(b -> b));
        assertEquals(Optional.empty(), check(b -> b.setRating(5)));
        assertEquals(Optional.empty(), check(b -> b.clearUserId().clearModel().clearCompletionCreatedAt().setCleared(
                FeedbackEvent.Cleared.getDefaultInstance())));
    }

    @Test
    void eachBrokenFieldIsNamed() {
        assertNames("feedback_id", b -> b.setFeedbackId(""));
        assertNames("feedback_id", b -> b.setFeedbackId("x".repeat(RecordLimits.MAX_ID_CHARS + 1)));
        assertNames("completion_id", b -> b.setCompletionId(" "));
        assertNames("record key", b -> b.setConversationId("conv-2"));
        assertNames("user_id", b -> b.setUserId("u\u0000"));
        assertNames("model.name", b -> b.setModel(ModelRef.newBuilder().setName("m".repeat(RecordLimits.MAX_NAME_CHARS + 1))));
        assertNames("prompt_version", b -> b.setPromptVersion("p".repeat(RecordLimits.MAX_NAME_CHARS + 1)));
        assertNames("comment", b -> b.setComment("c".repeat(RecordLimits.MAX_COMMENT_CHARS + 1)));
        assertNames("occurred_at", b -> b.clearOccurredAt());
        assertNames("occurred_at", b -> b.setOccurredAt(Timestamp.newBuilder().setSeconds(253402300800L)));
        assertNames("occurred_at", b -> b.setOccurredAt(Timestamps.fromMillis(NOW + SKEW.toMillis() + 1)));
        assertNames("completion_created_at", b -> b.setCompletionCreatedAt(Timestamp.newBuilder().setSeconds(-1)));
        assertNames("completion_created_at", b -> b.setCompletionCreatedAt(Timestamps.fromMillis(NOW + Duration.ofDays(365 * 70).toMillis())));
        assertNames("thumb", b -> b.setThumbValue(7));
        assertNames("thumb", b -> b.setThumb(FeedbackEvent.Thumb.THUMB_UNSPECIFIED));
        assertNames("rating", b -> b.setRating(6));
        assertNames("rating", b -> b.setRating(Integer.MIN_VALUE));
        assertNames("reported.reason", b -> b.setReported(FeedbackEvent.Reported.newBuilder().setReason("r".repeat(300))));
        assertNames("no signal", b -> b.clearThumb());
    }

    @Test
    void aHugeValueIsRefusedByItsSizeBeforeAnyFieldIsLookedAt() {
        String reason = check(b -> b.setComment("x".repeat(RecordLimits.MAX_INPUT_BYTES))).orElseThrow();
        assertTrue(reason.startsWith("feedback event is "), reason);
    }

    @Test
    void aReasonQuotingAHostileKeyStaysShort() {
        String reason = FeedbackEventContract.violation("k".repeat(100_000), valid(), NOW, SKEW).orElseThrow();
        assertTrue(reason.length() < 300, reason);
    }
}
