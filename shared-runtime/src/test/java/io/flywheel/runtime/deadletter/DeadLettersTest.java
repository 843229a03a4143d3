package io.flywheel.runtime.deadletter;

import io.flywheel.runtime.metrics.RecordFlow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.testkit.TopologyTestDrivers;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dead-letter path in a real topology: what is valid goes on, everything else is kept byte for byte. */
class DeadLettersTest {

    private static final String APPLICATION_ID = "dead-letters-test";
    private static final TopicSpec<byte[]> DLQ = Topics.deadLetter(APPLICATION_ID, false);
    private static final String SOURCE = Topics.FEEDBACK_EVENTS.name();
    private static final String VALID_OUT = "valid-out";
    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final FeedbackEvent EVENT = FeedbackEvent.newBuilder()
            .setFeedbackId("f-1").setConversationId("conv-1").setCompletionId("c-1").setUserId("u-1")
            .setThumb(FeedbackEvent.Thumb.THUMB_UP).build();

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> source;
    private TestOutputTopic<String, FeedbackEvent> valid;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(Deserializer<FeedbackEvent> deserializer) {
        StreamsBuilder builder = new StreamsBuilder();
        // Rejects what a domain check would: here, feedback without a user.
        RecordValidator<FeedbackEvent> validator = (key, value, wallClockMs) ->
                value.getUserId().isEmpty() ? Optional.of("user_id is empty") : Optional.empty();
        DeadLetters.decode(builder, APPLICATION_ID, Topics.FEEDBACK_EVENTS, deserializer, validator, DLQ,
                new RecordFlow(new SimpleMeterRegistry()))
                .to(VALID_OUT, Produced.with(Serdes.String(), ProtobufSerdes.withoutRegistry().value(FeedbackEvent.class)));
        driver = TopologyTestDrivers.open(builder.build(), APPLICATION_ID, 0, WALL_CLOCK);
        source = driver.createInputTopic(SOURCE, new ByteArraySerializer(), new ByteArraySerializer());
        valid = driver.createOutputTopic(VALID_OUT, new StringDeserializer(),
                ProtobufSerdes.withoutRegistry().valueDeserializer(FeedbackEvent.class));
        deadLetters = driver.createOutputTopic(DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void start() {
        start(ProtobufSerdes.withoutRegistry().valueDeserializer(FeedbackEvent.class));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void aValidRecordGoesOnWithItsUtf8Key() {
        start();
        source.pipeInput(utf8("conv-1"), EVENT.toByteArray());
        assertEquals(List.of(KeyValue.pair("conv-1", EVENT)), valid.readKeyValuesToList());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void garbageIsDeadLetteredWithItsOwnBytesHeadersAndWhy() {
        start();
        byte[] key = utf8("conv-9");
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        Headers original = new RecordHeaders().add("trace-id", utf8("abc"));
        source.pipeInput(utf8("conv-1"), EVENT.toByteArray()); // offset 0, valid
        source.pipeInput(new TestRecord<>(key, garbage, original, WALL_CLOCK)); // offset 1

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertArrayEquals(key, letter.key());
        assertArrayEquals(garbage, letter.value());
        assertEquals("abc", header(letter, "trace-id"), "the record's own headers are kept");
        assertEquals(SOURCE, header(letter, DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("0", header(letter, DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("1", header(letter, DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals(SerializationException.class.getName(), header(letter, DeadLetterHeaders.ERROR_CLASS));
        assertTrue(header(letter, DeadLetterHeaders.ERROR_MESSAGE).contains("invalid Protobuf bytes"),
                header(letter, DeadLetterHeaders.ERROR_MESSAGE));
        assertEquals(APPLICATION_ID, header(letter, DeadLetterHeaders.APPLICATION_ID));
        assertEquals(1, valid.getQueueSize(), "only the valid record went on");
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void recordsWithoutAUsableKeyOrValueAreDeadLettered() {
        start();
        source.pipeInput(new TestRecord<>(null, EVENT.toByteArray()));
        source.pipeInput(new TestRecord<>(new byte[] {(byte) 0xc3, (byte) 0x28}, EVENT.toByteArray()));
        source.pipeInput(new TestRecord<>(utf8("  "), EVENT.toByteArray()));
        source.pipeInput(new TestRecord<>(utf8("conv-1"), (byte[]) null));

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertEquals(List.of("MissingKey", "InvalidKey", "InvalidKey", "MissingValue"),
                letters.stream().map(letter -> header(letter, DeadLetterHeaders.ERROR_CLASS)).toList());
        assertNull(letters.get(3).value());
        assertTrue(valid.isEmpty());
    }

    @Test
    void aValueTheValidatorRejectsIsDeadLetteredWithItsReason() {
        start();
        source.pipeInput(utf8("conv-1"), EVENT.toBuilder().clearUserId().build().toByteArray());
        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertEquals("InvalidEvent", header(letter, DeadLetterHeaders.ERROR_CLASS));
        assertEquals("user_id is empty", header(letter, DeadLetterHeaders.ERROR_MESSAGE));
        assertTrue(valid.isEmpty());
    }

    @Test
    void anUnreachableRegistryFailsTheTaskInsteadOfDeadLettering() {
        start((topic, data) -> {
            throw new SerializationException("could not fetch the schema", new ConnectException("Connection refused"));
        });
        RuntimeException failure = assertThrows(RuntimeException.class, () -> source.pipeInput(utf8("conv-1"), EVENT.toByteArray()));
        assertTrue(RegistryUnavailableException.isCauseOf(failure), failure.toString());
        assertTrue(deadLetters.isEmpty(), "a transient failure must be retried, never dead-lettered");
        assertTrue(valid.isEmpty());
    }

    @Test
    void theDeserializerCannotAlterWhatTheDeadLetterKeeps() {
        start(new Deserializer<>() {
            @Override
            public FeedbackEvent deserialize(String topic, byte[] data) {
                throw new UnsupportedOperationException("the decode step passes headers");
            }

            @Override
            public FeedbackEvent deserialize(String topic, Headers headers, byte[] data) {
                headers.add("added-by-deserializer", utf8("x"));
                throw new SerializationException("bad");
            }
        });
        source.pipeInput(utf8("conv-1"), EVENT.toByteArray());
        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertNull(letter.headers().lastHeader("added-by-deserializer"));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
