package io.flywheel.verification.mesh;

import com.google.protobuf.Message;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaDeserializer;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.verification.verify.Verifier;
import io.flywheel.verification.workload.HostileKind;
import io.flywheel.verification.workload.Planned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads every output read_committed into the verifier. First a sentinel is appended to every
 * partition of every output; a partition is read completely when its sentinel comes back. A
 * transaction left open by a killed producer holds the last stable offset back, and the sentinel
 * behind it never arrives: that partition is reported, not waited for forever.
 */
public final class OutputReader {

    public static final String SENTINEL_HEADER = "flywheel.verification.sentinel";

    private static final Map<String, Class<? extends Message>> OUTPUTS = new LinkedHashMap<>();

    static {
        OUTPUTS.put("safety.verdicts", SafetyVerdict.class);
        OUTPUTS.put("llm.completions.screened", ScreenedCompletion.class);
        OUTPUTS.put("safety.quarantine", QuarantinedCompletion.class);
        OUTPUTS.put("safety.escalations", UserEscalation.class);
        OUTPUTS.put("feedback.aggregates", FeedbackAggregate.class);
        OUTPUTS.put("feedback.alerts", DriftAlert.class);
        OUTPUTS.put("eval.samples", EvalSample.class);
        for (HostileKind.Dlq dlq : HostileKind.Dlq.values()) {
            OUTPUTS.put(dlq.topic, null);
        }
    }

    private final String bootstrapServers;
    private final String registryUrl;

    public OutputReader(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    /** Writes the sentinels, then reads every output into the verifier; returns the records read. */
    public long readInto(Verifier verifier, Duration patience) throws Exception {
        Map<TopicPartition, Long> sentinels = writeSentinels();
        Map<String, ProtobufKafkaDeserializer<Message>> decoders = new HashMap<>();
        OUTPUTS.forEach((topic, type) -> {
            if (type != null) {
                ProtobufKafkaDeserializer<Message> deserializer = new ProtobufKafkaDeserializer<>();
                deserializer.configure(Map.of(SerdeConfig.REGISTRY_URL, registryUrl,
                        SerdeConfig.DESERIALIZER_SPECIFIC_VALUE_RETURN_CLASS, type), false);
                decoders.put(topic, deserializer);
            }
        });
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> open = new ArrayList<>(sentinels.keySet());
            consumer.assign(open);
            consumer.seekToBeginning(open);
            long lastProgress = System.nanoTime();
            while (!open.isEmpty() && System.nanoTime() - lastProgress < patience.toNanos()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() == sentinels.get(partition)) {
                        verifier.sentinel(record.topic(), record.partition(), true);
                        open.remove(partition);
                        consumer.pause(List.of(partition));
                        continue;
                    }
                    if (record.offset() > sentinels.get(partition) || record.headers().lastHeader(SENTINEL_HEADER) != null) {
                        continue;
                    }
                    read++;
                    deliver(verifier, record, decoders.get(record.topic()));
                }
            }
            for (TopicPartition partition : open) {
                verifier.sentinel(partition.topic(), partition.partition(), false);
            }
        }
        decoders.values().forEach(ProtobufKafkaDeserializer::close);
        return read;
    }

    private static void deliver(Verifier verifier, ConsumerRecord<byte[], byte[]> record, ProtobufKafkaDeserializer<Message> decoder) {
        String topic = record.topic();
        if (decoder == null) {
            Header id = record.headers().lastHeader(Planned.RECORD_HEADER);
            verifier.deadLetter(topic, id == null ? null : new String(id.value(), StandardCharsets.UTF_8));
            return;
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Message value;
        try {
            value = record.value() == null ? null : decoder.deserialize(topic, record.headers(), record.value());
        } catch (RuntimeException e) {
            verifier.undecodable(topic, record.partition() + "@" + record.offset() + " " + e);
            return;
        }
        switch (topic) {
            case "safety.verdicts" -> verifier.verdict((SafetyVerdict) value);
            case "llm.completions.screened" -> verifier.screened((ScreenedCompletion) value);
            case "safety.quarantine" -> verifier.quarantined((QuarantinedCompletion) value);
            case "safety.escalations" -> verifier.escalation((UserEscalation) value);
            case "feedback.aggregates" -> verifier.aggregate(key, (FeedbackAggregate) value);
            case "feedback.alerts" -> verifier.alert(key, (DriftAlert) value);
            case "eval.samples" -> verifier.sample((EvalSample) value);
            default -> throw new IllegalStateException("not an output: " + topic);
        }
    }

    private Map<TopicPartition, Long> writeSentinels() throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                     ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<String, TopicDescription> topics = admin.describeTopics(OUTPUTS.keySet()).allTopicNames().get();
            Map<TopicPartition, Future<RecordMetadata>> sends = new HashMap<>();
            for (TopicDescription topic : topics.values()) {
                topic.partitions().forEach(p -> {
                    ProducerRecord<byte[], byte[]> sentinel = new ProducerRecord<>(topic.name(), p.partition(),
                            "verification-sentinel".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFF, 'e', 'n', 'd'});
                    sentinel.headers().add(SENTINEL_HEADER, new byte[] {1});
                    sends.put(new TopicPartition(topic.name(), p.partition()), producer.send(sentinel));
                });
            }
            for (var send : sends.entrySet()) {
                offsets.put(send.getKey(), send.getValue().get().offset());
            }
        }
        return offsets;
    }
}
