package io.flywheel.runtime.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    private static final RecordMetadata SOURCE = new RecordMetadata() {
        @Override
        public String topic() {
            return "llm.completions";
        }

        @Override
        public int partition() {
            return 4;
        }

        @Override
        public long offset() {
            return 1234;
        }
    };

    @Test
    void theTestKitReadsTheHeadersThatAreWritten() {
        assertEquals(List.of(DeadLetterHeaders.SOURCE_TOPIC, DeadLetterHeaders.ERROR_MESSAGE, DeadLetterHeaders.VALUE_BYTES),
                List.of(io.flywheel.testkit.DeadLetter.SOURCE_TOPIC, io.flywheel.testkit.DeadLetter.ERROR_MESSAGE,
                        io.flywheel.testkit.DeadLetter.VALUE_BYTES));
    }

    @Test
    void stampsWhereTheRecordCameFromAndWhyItFailed() {
        Headers headers = DeadLetterHeaders.stamp(new RecordHeaders().add("trace-id", utf8("t")), Optional.of(SOURCE),
                "safety-filter", "InvalidEvent", "created_at is missing");
        assertEquals(Map.of(
                "trace-id", "t",
                DeadLetterHeaders.SOURCE_TOPIC, "llm.completions",
                DeadLetterHeaders.SOURCE_PARTITION, "4",
                DeadLetterHeaders.SOURCE_OFFSET, "1234",
                DeadLetterHeaders.ERROR_CLASS, "InvalidEvent",
                DeadLetterHeaders.ERROR_MESSAGE, "created_at is missing",
                DeadLetterHeaders.APPLICATION_ID, "safety-filter"), asMap(headers));
    }

    @Test
    void aSecondStampReplacesTheFirstInsteadOfAddingToIt() {
        Headers headers = DeadLetterHeaders.stamp(new RecordHeaders(), Optional.of(SOURCE), "app", "First", "first");
        DeadLetterHeaders.stamp(headers, Optional.of(SOURCE), "app", "Second", "second");
        List<String> errorClasses = Arrays.stream(headers.toArray())
                .filter(h -> h.key().equals(DeadLetterHeaders.ERROR_CLASS))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).toList();
        assertEquals(List.of("Second"), errorClasses);
        assertEquals(6, headers.toArray().length);
    }

    @Test
    void withoutSourceMetadataTheSourceIsMarkedUnknown() {
        Map<String, String> headers = asMap(DeadLetterHeaders.stamp(new RecordHeaders(), Optional.empty(), "app", "E", "m"));
        assertEquals("unknown", headers.get(DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("-1", headers.get(DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("-1", headers.get(DeadLetterHeaders.SOURCE_OFFSET));
    }

    private static Map<String, String> asMap(Headers headers) {
        return Arrays.stream(headers.toArray()).collect(Collectors.toMap(Header::key,
                h -> new String(h.value(), StandardCharsets.UTF_8), (a, b) -> b));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
