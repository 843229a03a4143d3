package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CompletionContractTest {

    private static final long NOW = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final Duration SKEW = Duration.ofMinutes(5);

    static Completion valid() {
        return Completion.newBuilder()
                .setCompletionId("c1").setConversationId("conv-1").setUserId("u1")
                .setModel(ModelRef.newBuilder().setName("gpt-4o").setVersion("2024-08-06")).setPromptVersion("support-v7")
                .setLocale("en-US").setRegion("eu").setPromptText("hello").setResponseText("hi")
                .setCreatedAt(Timestamps.fromMillis(NOW)).putAttributes("channel", "web")
                .build();
    }

    private static Optional<String> check(String path, UnaryOperator<Completion.Builder> change) {
        return CompletionContract.violation("conv-1", change.apply(valid().toBuilder()).build(), path, NOW, SKEW);
    }

    private static void assertNames(String field, UnaryOperator<Completion.Builder> change) {
        for (String path : new String[] {"", "completion."}) {
            String reason = check(path, change).orElseThrow(() -> new AssertionError("accepted a record breaking " + field));
            String expected = field.startsWith("record key") ? field : path + field;
            assertTrue(reason.startsWith(expected), "reason '" + reason + "' should start with " + expected);
        }
    }

    @Test
    void aValidCompletionKeepsTheContract() {
        assertEquals(Optional.empty(), check("", b -> b));
        assertEquals(Optional.empty(), check("", Completion.Builder::clearCreatedAt));
        assertEquals(Optional.empty(), check("", b -> b.setPromptText("x".repeat(RecordLimits.MAX_TEXT_CHARS))));
    }

    @Test
    void eachBrokenFieldIsNamed() {
        assertNames("completion_id", b -> b.setCompletionId(""));
        assertNames("conversation_id", b -> b.setConversationId("c".repeat(RecordLimits.MAX_ID_CHARS + 1)));
        assertNames("record key", b -> b.setConversationId("conv-2"));
        assertNames("user_id", b -> b.setUserId(""));
        assertNames("user_id", b -> b.setUserId("u\n1"));
        assertNames("model.name", Completion.Builder::clearModel);
        assertNames("model.version", b -> b.setModel(ModelRef.newBuilder().setName("m").setVersion("v".repeat(300))));
        assertNames("prompt_version", b -> b.setPromptVersion("p".repeat(300)));
        assertNames("locale", b -> b.setLocale("l".repeat(300)));
        assertNames("region", b -> b.setRegion("r".repeat(300)));
        assertNames("prompt_text", b -> b.setPromptText("x".repeat(RecordLimits.MAX_TEXT_CHARS + 1)));
        assertNames("response_text", b -> b.setResponseText("x".repeat(RecordLimits.MAX_TEXT_CHARS + 1)));
        assertNames("attributes", b -> {
            for (int i = 0; i <= RecordLimits.MAX_ATTRIBUTES; i++) {
                b.putAttributes("k" + i, "v");
            }
            return b;
        });
        assertNames("attributes['channel']", b -> b.putAttributes("channel", "w".repeat(RecordLimits.MAX_ATTRIBUTE_VALUE_CHARS + 1)));
        assertNames("created_at", b -> b.setCreatedAt(Timestamp.newBuilder().setSeconds(253402300800L)));
        assertNames("created_at", b -> b.setCreatedAt(Timestamps.fromMillis(NOW + Duration.ofDays(1).toMillis())));
    }

    @Test
    void twoFullTextsAreRefusedByTheRecordCap() {
        String wide = "\u20ac".repeat(RecordLimits.MAX_TEXT_CHARS);
        String reason = check("completion.", b -> b.setPromptText(wide).setResponseText(wide).putAttributes("a", "b")).orElseThrow();
        assertTrue(reason.startsWith("completion is ") && reason.contains("bytes serialized"), reason);
    }
}
