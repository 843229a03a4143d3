package io.flywheel.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One record of a service's dead-letter topic: the original key and value bytes and the headers
 * the dead-letter path writes (their names are those of shared-runtime's {@code DeadLetterHeaders},
 * which a test there checks).
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers) {

    public static final String SOURCE_TOPIC = "flywheel.dlq.source.topic";
    public static final String ERROR_MESSAGE = "flywheel.dlq.error.message";
    public static final String VALUE_BYTES = "flywheel.dlq.value.bytes";

    /** A record a test writes and expects dead-lettered: its value bytes and how the reason must begin. */
    public record Expected(byte[] value, String reasonStart) {
    }

    /** The key as UTF-8 text, empty for a record without a key. */
    public String keyText() {
        return key == null ? "" : new String(key, StandardCharsets.UTF_8);
    }

    /** Why the record was dead-lettered ({@code flywheel.dlq.error.message}). */
    public String reason() {
        return header(ERROR_MESSAGE);
    }

    /**
     * Whether this dead letter keeps {@code sent}: the same bytes, or, when the value was cut to fit
     * the service's producer, their prefix with the original length in {@code flywheel.dlq.value.bytes}.
     */
    public boolean keeps(byte[] sent) {
        String originalLength = header(VALUE_BYTES);
        if (originalLength == null) {
            return Arrays.equals(sent, value);
        }
        return originalLength.equals(Integer.toString(sent.length)) && value.length < sent.length
                && Arrays.equals(value, Arrays.copyOf(sent, value.length));
    }

    /** The last value of a header as UTF-8 text, or null when the header is absent. */
    public String header(String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
