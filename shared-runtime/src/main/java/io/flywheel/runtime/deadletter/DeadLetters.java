package io.flywheel.runtime.deadletter;

import io.flywheel.model.TopicSpec;
import io.flywheel.runtime.metrics.RecordFlow;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The one dead-letter path. Kafka Streams 4.1 has no DLQ of its own and a handler's
 * producer would sit outside the exactly-once transaction, so a source is read as bytes, the
 * first processor decodes and validates, and failures go to the application's DLQ sink in the
 * same topology: they commit (or abort) with the task. Nothing is dropped.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * Reads {@code source} and returns its valid records keyed by their UTF-8 key.
     *
     * @param applicationId the Streams application id, recorded in each dead letter's headers
     * @param deserializer  the value deserializer (from {@code ProtobufSerdes})
     * @param validator     domain checks on the decoded value
     * @param deadLetters   the application's DLQ topic ({@code Topics.deadLetter})
     * @param flow          counts the records read and dead-lettered
     */
    public static <V> KStream<String, V> decode(StreamsBuilder builder, String applicationId, TopicSpec<V> source,
                                                Deserializer<V> deserializer, RecordValidator<V> validator,
                                                TopicSpec<byte[]> deadLetters, RecordFlow flow) {
        String name = source.name();
        String branchPrefix = "decoded-" + name + "-";
        Map<String, KStream<String, Decoded<V>>> branches = decoded(builder, applicationId, source, deserializer, validator, flow)
                .split(Named.as(branchPrefix))
                .branch((key, decoded) -> decoded instanceof Decoded.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));
        deadLetter(branches.get(branchPrefix + "rejected"), name, deadLetters);
        return branches.get(branchPrefix + "valid")
                .mapValues(decoded -> ((Decoded.Valid<V>) decoded).value(), Named.as("unwrap-valid-" + name));
    }

    /**
     * Reads {@code source} through the same decode step and writes only what it rejects to the
     * DLQ; valid records end there. This is an intake check of a topic that a global store reads
     * (Kafka Streams lets no topic be both a global and a regular source of one topology).
     */
    public static <V> void check(StreamsBuilder builder, String applicationId, TopicSpec<V> source,
                                 Deserializer<V> deserializer, RecordValidator<V> validator,
                                 TopicSpec<byte[]> deadLetters, RecordFlow flow) {
        String name = source.name();
        deadLetter(decoded(builder, applicationId, source, deserializer, validator, flow)
                .filter((key, decoded) -> decoded instanceof Decoded.Rejected, Named.as("rejected-" + name)), name, deadLetters);
    }

    private static <V> KStream<String, Decoded<V>> decoded(StreamsBuilder builder, String applicationId, TopicSpec<V> source,
                                                           Deserializer<V> deserializer, RecordValidator<V> validator,
                                                           RecordFlow flow) {
        String name = source.name();
        return builder.stream(name, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-" + name))
                .process(() -> new DecodeProcessor<>(applicationId, deserializer, validator, flow), Named.as("decode-" + name));
    }

    private static <V> void deadLetter(KStream<String, Decoded<V>> rejected, String name, TopicSpec<byte[]> deadLetters) {
        rejected.map((key, decoded) -> {
                    Decoded.Rejected<V> dead = (Decoded.Rejected<V>) decoded;
                    return KeyValue.pair(dead.key(), dead.value());
                }, Named.as("unwrap-rejected-" + name))
                .to(deadLetters.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("dead-letter-" + name));
    }
}
