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
        KStream<byte[], byte[]> raw = builder.stream(name,
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-" + name));
        String branchPrefix = "decoded-" + name + "-";
        Map<String, KStream<String, Decoded<V>>> branches = raw
                .process(() -> new DecodeProcessor<>(applicationId, deserializer, validator, flow), Named.as("decode-" + name))
                .split(Named.as(branchPrefix))
                .branch((key, decoded) -> decoded instanceof Decoded.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("valid"));

        branches.get(branchPrefix + "rejected")
                .map((key, decoded) -> {
                    Decoded.Rejected<V> rejected = (Decoded.Rejected<V>) decoded;
                    return KeyValue.pair(rejected.key(), rejected.value());
                }, Named.as("unwrap-rejected-" + name))
                .to(deadLetters.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("dead-letter-" + name));

        return branches.get(branchPrefix + "valid")
                .mapValues(decoded -> ((Decoded.Valid<V>) decoded).value(), Named.as("unwrap-valid-" + name));
    }
}
