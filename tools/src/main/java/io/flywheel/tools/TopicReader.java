package io.flywheel.tools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads a topic from its beginning, committed records only, without joining or moving a consumer group. */
final class TopicReader {

    /** What is done with each record read. */
    @FunctionalInterface
    interface Each<K, V> {
        void accept(ConsumerRecord<K, V> record) throws Exception;
    }

    private TopicReader() {
    }

    /**
     * Hands records to {@code each} until {@code --max} were read or nothing arrived for
     * {@code --timeout}; returns how many were read.
     */
    static <K, V> long fromStart(KafkaOptions kafka, ReadOptions reading, String topic, Deserializer<K> keys,
                                 Deserializer<V> values, Each<K, V> each) throws Exception {
        long max = reading.max;
        Duration idle = reading.timeout;
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long read = 0;
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            // Assigned, not subscribed: no consumer group is created or moved.
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long idleSince = System.nanoTime();
            while (read < max && System.nanoTime() - idleSince < idle.toNanos()) {
                for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(250))) {
                    idleSince = System.nanoTime();
                    if (read >= max) {
                        break;
                    }
                    read++;
                    each.accept(record);
                }
            }
        }
        return read;
    }
}
