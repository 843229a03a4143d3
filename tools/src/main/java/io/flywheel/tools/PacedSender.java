package io.flywheel.tools;

import com.google.protobuf.Message;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends generated records to a catalogue topic at a steady rate (or as fast as the broker takes
 * them) through the registry, idempotent with acks=all, counting acknowledgements per partition
 * and stopping at the first failed send.
 */
final class PacedSender {

    /** What a run did. */
    record Outcome(long acknowledged, double seconds, AtomicLongArray perPartition, Exception failure) {
        double perSecond() {
            return acknowledged / Math.max(seconds, 1e-9);
        }

        String partitions() {
            StringBuilder text = new StringBuilder();
            for (int p = 0; p < perPartition.length(); p++) {
                if (perPartition.get(p) > 0) {
                    text.append(text.length() == 0 ? "" : ", ").append(p).append('=').append(perPartition.get(p));
                }
            }
            return "{" + text + "}";
        }
    }

    private PacedSender() {
    }

    static <V extends Message> Outcome send(TrafficOptions traffic, TopicSpec<V> topic, Supplier<V> next,
                                            Function<V, String> keyOf, Consumer<V> onEach) {
        long count = traffic.count();
        double rate = traffic.rate();
        Map<String, Object> config = traffic.kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        AtomicLongArray perPartition = new AtomicLongArray(1024);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started = System.nanoTime();
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ProtobufSerdes(traffic.registry.url()).valueSerializer(topic.valueType()))) {
            for (long i = 0; i < count && failure.get() == null; i++) {
                if (rate > 0) {
                    long wait = started + (long) (i * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                V value = next.get();
                onEach.accept(value);
                producer.send(new ProducerRecord<>(topic.name(), keyOf.apply(value), value), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        acked.incrementAndGet();
                        perPartition.incrementAndGet(metadata.partition() % perPartition.length());
                    }
                });
            }
            producer.flush();
        }
        return new Outcome(acked.get(), (System.nanoTime() - started) / 1e9, perPartition, failure.get());
    }
}
