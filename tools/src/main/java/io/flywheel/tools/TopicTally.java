package io.flywheel.tools;

import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the mesh's topics carry, for what the query APIs do not answer: committed records per
 * topic since the tally started (the services' inputs and outputs, so rates per service), every
 * record ever sent to a dead-letter topic, and the safety filter's decisions from its verdicts.
 * Reads with its own assignment (no consumer group), committed records only.
 */
final class TopicTally implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<SafetyVerdict> verdicts;
    private final Map<String, Long> records = new ConcurrentHashMap<>();
    private final Map<SafetyVerdict.Decision, Long> decisions = new EnumMap<>(SafetyVerdict.Decision.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread reader;
    private volatile boolean stopped;

    TopicTally(Map<String, Object> kafkaConfig, ProtobufSerdes serdes, List<TopicSpec<?>> topics) {
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.verdicts = serdes.valueDeserializer(SafetyVerdict.class);
        List<TopicPartition> fromEnd = new ArrayList<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicSpec<?> topic : topics) {
            records.put(topic.name(), 0L);
            for (var partition : consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))) {
                TopicPartition tp = new TopicPartition(partition.topic(), partition.partition());
                (isDeadLetter(topic.name()) ? fromStart : fromEnd).add(tp);
            }
        }
        List<TopicPartition> all = new ArrayList<>(fromEnd);
        all.addAll(fromStart);
        consumer.assign(all);
        consumer.seekToEnd(fromEnd);
        consumer.seekToBeginning(fromStart);
        all.forEach(consumer::position);
        this.reader = new Thread(this::read, "demo-topic-tally");
        reader.setDaemon(true);
        reader.start();
    }

    static boolean isDeadLetter(String topic) {
        return topic.endsWith(".dlq");
    }

    private void read() {
        try {
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records.merge(record.topic(), 1L, Long::sum);
                    if (record.topic().equals(Topics.SAFETY_VERDICTS.name()) && record.value() != null) {
                        SafetyVerdict verdict = verdicts.deserialize(record.topic(), record.headers(), record.value());
                        synchronized (decisions) {
                            decisions.merge(verdict.getDecision(), 1L, Long::sum);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (Exception e) {
            failure.set(e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Records seen per topic (dead-letter topics: since they were created; the others: since the tally started). */
    Map<String, Long> records() {
        return new TreeMap<>(records);
    }

    Map<SafetyVerdict.Decision, Long> decisions() {
        synchronized (decisions) {
            return new EnumMap<>(decisions.isEmpty() ? Map.of(SafetyVerdict.Decision.ALLOW, 0L) : decisions);
        }
    }

    /** Why the tally stopped reading, if it did. */
    Exception failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        consumer.wakeup();
        reader.join(5_000);
    }
}
