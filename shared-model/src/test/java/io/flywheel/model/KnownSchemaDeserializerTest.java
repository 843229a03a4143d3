package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flywheel.events.v1.FeedbackEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The registry's path decodes the first record of each schema id; later ones are parsed in place, failures go back to it. */
class KnownSchemaDeserializerTest {

    /** Decodes the registry framing the way the registry's deserializer does, and counts its calls. */
    private static final class RegistryPath implements Deserializer<FeedbackEvent> {
        int calls;

        @Override
        public FeedbackEvent deserialize(String topic, byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public FeedbackEvent deserialize(String topic, Headers headers, byte[] data) {
            calls++;
            try {
                CodedInputStream in = CodedInputStream.newInstance(data, 5, data.length - 5);
                in.skipRawBytes(in.readRawVarint32());
                return FeedbackEvent.parseFrom(in);
            } catch (IOException e) {
                throw new SerializationException("not a registry-framed FeedbackEvent", e);
            }
        }
    }

    private final RegistryPath registry = new RegistryPath();
    private final KnownSchemaDeserializer<FeedbackEvent> deserializer = new KnownSchemaDeserializer<>(registry, FeedbackEvent.parser());

    private static FeedbackEvent event(String id) {
        return FeedbackEvent.newBuilder().setFeedbackId(id).setConversationId("conv-1").setRating(4).build();
    }

    private static byte[] framed(int schemaId, FeedbackEvent event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        byte[] ref = "flywheel.events.v1.FeedbackEvent".getBytes(StandardCharsets.UTF_8);
        out.write(ref.length + 2);
        out.write(0x0a);
        out.write(ref.length);
        out.write(ref);
        event.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void theFirstRecordOfASchemaIdTakesTheRegistryPathAndLaterOnesAreParsedInPlace() throws IOException {
        assertEquals(event("f1"), deserializer.deserialize("t", new RecordHeaders(), framed(7, event("f1"))));
        assertEquals(1, registry.calls);
        assertEquals(event("f2"), deserializer.deserialize("t", new RecordHeaders(), framed(7, event("f2"))));
        assertEquals(event("f3"), deserializer.deserialize("t", framed(7, event("f3"))));
        assertEquals(1, registry.calls, "schema id 7 is confirmed");

        assertEquals(event("f4"), deserializer.deserialize("t", new RecordHeaders(), framed(8, event("f4"))));
        assertEquals(2, registry.calls, "a new schema id takes the registry path first");
    }

    @Test
    void whatDoesNotParseOrCarriesItsIdInHeadersTakesTheRegistryPath() throws IOException {
        deserializer.deserialize("t", new RecordHeaders(), framed(7, event("f1")));
        byte[] broken = framed(7, event("f2"));
        byte[] cut = Arrays.copyOf(broken, broken.length - 3);
        SerializationException failure = assertThrows(SerializationException.class, () -> deserializer.deserialize("t", new RecordHeaders(), cut));
        assertEquals(InvalidProtocolBufferException.class, failure.getCause().getClass(), "failed as the registry's path fails");
        assertEquals(2, registry.calls);

        Headers idInHeaders = new RecordHeaders().add("apicurio.value.contentId", new byte[8]);
        deserializer.deserialize("t", idInHeaders, framed(7, event("f3")));
        assertEquals(3, registry.calls);
        deserializer.deserialize("t", new RecordHeaders(), new byte[] {1, 0, 0, 0, 7, 0});
        assertEquals(4, registry.calls, "not this framing");
    }
}
