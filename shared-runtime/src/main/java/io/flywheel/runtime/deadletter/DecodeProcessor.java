package io.flywheel.runtime.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import io.flywheel.runtime.metrics.RecordFlow;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Deserializes and validates each raw record of a source topic. Valid records go on with a
 * UTF-8 key; anything else is forwarded as {@link Decoded.Rejected} with error headers, to be
 * written to the dead-letter topic in the same task, hence the same transaction.
 */
final class DecodeProcessor<V> implements Processor<byte[], byte[], String, Decoded<V>> {

    private static final Logger LOG = Logger.getLogger(DecodeProcessor.class);

    private final String applicationId;
    private final Deserializer<V> deserializer;
    private final RecordValidator<V> validator;
    private final RecordFlow flow;
    private ProcessorContext<String, Decoded<V>> context;

    DecodeProcessor(String applicationId, Deserializer<V> deserializer, RecordValidator<V> validator, RecordFlow flow) {
        this.applicationId = applicationId;
        this.deserializer = deserializer;
        this.validator = validator;
        this.flow = flow;
    }

    @Override
    public void init(ProcessorContext<String, Decoded<V>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
        flow.in(topic);
        if (record.key() == null) {
            reject(record, "MissingKey", "record has no key: the key must be the UTF-8 id the topic is keyed by");
            return;
        }
        String key;
        try {
            key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(record.key()))
                    .toString();
        } catch (CharacterCodingException e) {
            reject(record, "InvalidKey", "key is not valid UTF-8");
            return;
        }
        if (key.isBlank()) {
            reject(record, "InvalidKey", "key is blank");
            return;
        }
        if (record.value() == null) {
            reject(record, "MissingValue", "record has no value: events cannot be tombstones");
            return;
        }
        V value;
        try {
            value = deserializer.deserialize(topic, copyOf(record.headers()), record.value());
        } catch (RuntimeException e) {
            if (RegistryUnavailableException.isTransient(e)) {
                throw new RegistryUnavailableException("schema registry unavailable while decoding " + topic, e);
            }
            reject(record, e.getClass().getName(), String.valueOf(e.getMessage()));
            return;
        }
        if (value == null) {
            reject(record, "MissingValue", "value decoded to nothing");
            return;
        }
        Optional<String> reason = validator.rejectReason(key, value, context.currentSystemTimeMs());
        if (reason.isPresent()) {
            reject(record, "InvalidEvent", reason.get());
            return;
        }
        Decoded<V> valid = new Decoded.Valid<>(value);
        context.forward(record.withKey(key).withValue(valid));
    }

    private void reject(Record<byte[], byte[]> record, String errorClass, String message) {
        Optional<RecordMetadata> source = context.recordMetadata();
        flow.deadLettered(source.map(RecordMetadata::topic).orElse("unknown"), RecordFlow.reasonOf(errorClass));
        Headers headers = DeadLetterHeaders.stamp(record.headers(), source, applicationId, errorClass, message);
        LOG.debugf("dead-lettering %s-%s@%s: %s", source.map(RecordMetadata::topic).orElse("?"),
                source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L), message);
        Decoded<V> rejected = new Decoded.Rejected<>(record.key(), record.value());
        context.forward(record.withKey((String) null).withValue(rejected).withHeaders(headers));
    }

    /** The deserializer gets its own copy so it cannot alter what the DLQ would keep. */
    private static Headers copyOf(Headers headers) {
        return new org.apache.kafka.common.header.internals.RecordHeaders(headers.toArray());
    }
}
