package io.flywheel.model;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/** Registry-less Protobuf decoding for {@link ProtobufSerdes#withoutRegistry()}. */
final class PlainProtobufDeserializer<V extends Message> implements Deserializer<V> {

    private final Parser<V> parser;

    @SuppressWarnings("unchecked")
    PlainProtobufDeserializer(Class<V> type) {
        try {
            this.parser = (Parser<V>) type.getMethod("parser").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("not a generated Protobuf message class: " + type, e);
        }
    }

    @Override
    public V deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return parser.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new SerializationException("invalid Protobuf bytes on " + topic + ": " + e.getMessage(), e);
        }
    }
}
