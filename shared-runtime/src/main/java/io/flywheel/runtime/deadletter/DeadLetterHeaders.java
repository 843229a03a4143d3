package io.flywheel.runtime.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Headers a dead letter carries beside its original key and value bytes and headers. */
public final class DeadLetterHeaders {
    public static final String SOURCE_TOPIC = "flywheel.dlq.source.topic";
    public static final String SOURCE_PARTITION = "flywheel.dlq.source.partition";
    public static final String SOURCE_OFFSET = "flywheel.dlq.source.offset";
    public static final String ERROR_CLASS = "flywheel.dlq.error.class";
    public static final String ERROR_MESSAGE = "flywheel.dlq.error.message";
    public static final String APPLICATION_ID = "flywheel.dlq.application.id";
    /** Set when a dead letter's value or key was cut to fit the producer's limit: the original length. */
    public static final String VALUE_BYTES = "flywheel.dlq.value.bytes";
    public static final String KEY_BYTES = "flywheel.dlq.key.bytes";
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetterHeaders() {
    }

    /**
     * Writes the dead-letter headers into {@code headers}, replacing any earlier ones: the decode
     * step uses it, and so does a later processor of the same topology that must dead-letter a
     * record it cannot process (to the same DLQ topic, in the same transaction).
     *
     * @param source the record's source topic, partition and offset ({@code context.recordMetadata()})
     */
    public static Headers stamp(Headers headers, Optional<RecordMetadata> source, String applicationId,
                                String errorClass, String message) {
        headers.remove(SOURCE_TOPIC).remove(SOURCE_PARTITION).remove(SOURCE_OFFSET)
                .remove(ERROR_CLASS).remove(ERROR_MESSAGE).remove(APPLICATION_ID);
        headers.add(SOURCE_TOPIC, utf8(source.map(RecordMetadata::topic).orElse("unknown")));
        headers.add(SOURCE_PARTITION, utf8(source.map(m -> Integer.toString(m.partition())).orElse("-1")));
        headers.add(SOURCE_OFFSET, utf8(source.map(m -> Long.toString(m.offset())).orElse("-1")));
        headers.add(ERROR_CLASS, utf8(errorClass));
        headers.add(ERROR_MESSAGE, utf8(message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "…"));
        headers.add(APPLICATION_ID, utf8(applicationId));
        return headers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
