package io.flywheel.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a registry-framed Protobuf value (magic byte 0, 4-byte schema id, the length-delimited
 * type reference, then the message) by parsing the message in place, once the registry's own
 * deserializer has decoded a record of the same schema id to the same value. Every other record
 * takes the registry's path: the first of each schema id, other framings, ids in headers, and
 * whatever fails to parse (so a bad record fails exactly as it would there, and is dead-lettered).
 * The schema id is the registry's content id: the same id is the same schema.
 */
final class KnownSchemaDeserializer<V extends Message> implements Deserializer<V> {

    private static final byte MAGIC = 0;
    private static final int HEADER_BYTES = 5;

    private final Deserializer<V> registryPath;
    private final Parser<V> parser;
    /** Schema ids whose framing the registry's path has confirmed. */
    private final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();

    KnownSchemaDeserializer(Deserializer<V> registryPath, Parser<V> parser) {
        this.registryPath = registryPath;
        this.parser = parser;
    }

    @Override
    public V deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public V deserialize(String topic, Headers headers, byte[] data) {
        if (data == null || data.length < HEADER_BYTES || data[0] != MAGIC || carriesSchemaHeaders(headers)) {
            return registryPath.deserialize(topic, headers, data);
        }
        int schemaId = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        if (confirmed.contains(schemaId)) {
            V value = parseInPlace(data);
            if (value != null) {
                return value;
            }
        }
        V value = registryPath.deserialize(topic, headers, data);
        if (value != null && value.equals(parseInPlace(data))) {
            confirmed.add(schemaId);
        }
        return value;
    }

    /** The message after the framing, or null when the bytes do not parse. */
    private V parseInPlace(byte[] data) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(data, HEADER_BYTES, data.length - HEADER_BYTES);
            in.skipRawBytes(in.readRawVarint32());
            return parser.parseFrom(in);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean carriesSchemaHeaders(Headers headers) {
        if (headers == null) {
            return false;
        }
        for (Header header : headers) {
            if (header.key().startsWith("apicurio.")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        registryPath.close();
    }
}
