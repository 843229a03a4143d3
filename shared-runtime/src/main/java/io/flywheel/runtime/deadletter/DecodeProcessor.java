package io.flywheel.runtime.deadletter;

import io.flywheel.model.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.common.header.Header;
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
 * written to the dead-letter topic in the same task, hence the same transaction. Nothing a
 * record contains escapes as an exception: a validator that throws rejects the record too.
 *
 * <p>A registry outage is waited out here, inside the task, for at most {@link #REGISTRY_WAIT}:
 * under exactly-once the task's transaction is open and times out after the producer's
 * {@code transaction.timeout.ms} (10 s by default in Kafka Streams), so the wait stays below it.
 * Known schemas are served from the serde's cache and need no registry at all.
 */
final class DecodeProcessor<V> implements Processor<byte[], byte[], String, Decoded<V>> {

    private static final Logger LOG = Logger.getLogger(DecodeProcessor.class);
    static final Duration REGISTRY_WAIT = Duration.ofSeconds(8);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final String applicationId;
    private final Deserializer<V> deserializer;
    private final RecordValidator<V> validator;
    private final RecordFlow flow;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private ProcessorContext<String, Decoded<V>> context;

    DecodeProcessor(String applicationId, Deserializer<V> deserializer, RecordValidator<V> validator, RecordFlow flow) {
        this(applicationId, deserializer, validator, flow, Thread::sleep, System::nanoTime);
    }

    DecodeProcessor(String applicationId, Deserializer<V> deserializer, RecordValidator<V> validator, RecordFlow flow,
                    Sleeper sleeper, LongSupplier nanoClock) {
        this.applicationId = applicationId;
        this.deserializer = deserializer;
        this.validator = validator;
        this.flow = flow;
        this.sleeper = sleeper;
        this.nanoClock = nanoClock;
    }

    /** How the decode step waits between registry attempts (a test passes one that only moves its clock). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    @Override
    public void init(ProcessorContext<String, Decoded<V>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
        flow.in(topic);
        RecordKey readKey = RecordKey.read(record.key());
        if (readKey instanceof RecordKey.Invalid invalid) {
            reject(record, invalid.errorClass(), invalid.reason());
            return;
        }
        String key = ((RecordKey.Valid) readKey).key();
        if (record.value() == null) {
            Optional<String> refused;
            try {
                refused = validator.tombstoneRejectReason(key);
            } catch (RuntimeException | StackOverflowError e) {
                refused = Optional.of("the tombstone could not be checked: " + e);
            }
            if (refused.isPresent()) {
                reject(record, "MissingValue", refused.get());
            } else {
                context.forward(record.withKey(key).withValue(new Decoded.Valid<>(null)));
            }
            return;
        }
        V value;
        try {
            value = deserialize(topic, record);
        } catch (RegistryUnavailableException | RegistryAccessException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            reject(record, e.getClass().getName(), String.valueOf(e.getMessage()));
            return;
        }
        if (value == null) {
            reject(record, "MissingValue", "value decoded to nothing");
            return;
        }
        Optional<String> reason;
        try {
            reason = validator.rejectReason(key, value, context.currentSystemTimeMs());
        } catch (RuntimeException | StackOverflowError e) {
            reason = Optional.of("the record could not be checked: " + e);
        }
        if (reason.isPresent()) {
            reject(record, "InvalidEvent", reason.get());
            return;
        }
        Decoded<V> valid = new Decoded.Valid<>(value);
        context.forward(record.withKey(key).withValue(valid));
    }

    /** Decodes, waiting out a short registry outage; refused credentials or TLS stop the client. */
    private V deserialize(String topic, Record<byte[], byte[]> record) {
        long giveUpAt = nanoClock.getAsLong() + REGISTRY_WAIT.toNanos();
        long backoffMs = FIRST_BACKOFF_MS;
        while (true) {
            try {
                return deserializer.deserialize(topic, copyOf(record.headers()), record.value());
            } catch (RuntimeException e) {
                if (RegistryAccessException.isCauseOf(e)) {
                    throw new RegistryAccessException("the schema registry refused this service's credentials or TLS "
                            + "while decoding " + topic + ": check flywheel.registry.url and flywheel.registry.serde.*", e);
                }
                if (!RegistryUnavailableException.isTransient(e)) {
                    throw e;
                }
                if (nanoClock.getAsLong() + backoffMs * 1_000_000 > giveUpAt) {
                    throw new RegistryUnavailableException("schema registry unavailable for " + REGISTRY_WAIT.toSeconds()
                            + " s while decoding " + topic, e);
                }
                LOG.debugf("schema registry unavailable while decoding %s, retrying in %d ms: %s", topic, backoffMs, e.getMessage());
                pause(backoffMs, e);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }

    private void pause(long millis, RuntimeException cause) {
        try {
            sleeper.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting for the schema registry", cause);
        }
    }

    private void reject(Record<byte[], byte[]> record, String errorClass, String message) {
        Optional<RecordMetadata> source = context.recordMetadata();
        flow.deadLettered(source.map(RecordMetadata::topic).orElse("unknown"), RecordFlow.reasonOf(errorClass));
        Headers headers = DeadLetterHeaders.stamp(record.headers(), source, applicationId, errorClass, message);
        LOG.debugf("dead-lettering %s-%s@%s: %s", source.map(RecordMetadata::topic).orElse("?"),
                source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L), message);
        byte[] key = fit(record.key(), RecordLimits.MAX_ID_CHARS * 4, DeadLetterHeaders.KEY_BYTES, headers);
        int budget = RecordLimits.MAX_OUTPUT_BYTES - sizeOf(key) - sizeOf(headers) - 64;
        byte[] value = fit(record.value(), budget, DeadLetterHeaders.VALUE_BYTES, headers);
        Decoded<V> rejected = new Decoded.Rejected<>(key, value);
        context.forward(record.withKey((String) null).withValue(rejected).withHeaders(headers));
    }

    /**
     * A dead letter must itself fit the producer's request limit: bytes beyond {@code max} are
     * cut, and a header keeps the original length (the source coordinates find the whole record).
     */
    private static byte[] fit(byte[] bytes, int max, String lengthHeader, Headers headers) {
        if (bytes == null || bytes.length <= max) {
            return bytes;
        }
        headers.remove(lengthHeader).add(lengthHeader, Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(bytes, Math.max(0, max));
    }

    private static int sizeOf(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static int sizeOf(Headers headers) {
        int size = 0;
        for (Header header : headers) {
            size += header.key().length() * 3 + sizeOf(header.value()) + 8;
        }
        return size;
    }

    /** The deserializer gets its own copy so it cannot alter what the DLQ would keep. */
    private static Headers copyOf(Headers headers) {
        return new org.apache.kafka.common.header.internals.RecordHeaders(headers.toArray());
    }
}
