package io.flywheel.verification.mesh;

import com.google.protobuf.Message;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaSerializer;
import io.flywheel.verification.workload.Planned;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes the workload at a steady rate, as product backends would: idempotent, acks=all and a
 * long delivery timeout, so a broker restart delays records but neither loses nor repeats one.
 * Valid messages go through the registry serde; garbage goes as raw bytes.
 */
public final class Generator {

    private final String bootstrapServers;
    private final String registryUrl;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public Generator(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    public long sent() {
        return sent.get();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    /**
     * Serializes through the registry, waiting out a registry that cannot answer (its storage is
     * the broker: it fails while the broker restarts), as a product backend would.
     */
    private static byte[] serialize(ProtobufKafkaSerializer<Message> serializer, Planned record) throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (true) {
            try {
                return serializer.serialize(record.topic(), record.message());
            } catch (RuntimeException registryUnavailable) {
                if (System.nanoTime() > deadline) {
                    throw registryUnavailable;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Sends every record at {@code ratePerSecond}; throws if any record could not be written. */
    public void send(Iterator<Planned> workload, int ratePerSecond) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000,
                ProducerConfig.LINGER_MS_CONFIG, 10);
        ProtobufKafkaSerializer<Message> serializer = new ProtobufKafkaSerializer<>();
        serializer.configure(Map.of(SerdeConfig.REGISTRY_URL, registryUrl, SerdeConfig.AUTO_REGISTER_ARTIFACT, true), false);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (workload.hasNext()) {
                Planned record = workload.next();
                byte[] value = record.raw() != null ? record.raw() : serialize(serializer, record);
                ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(record.topic(), null,
                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), value);
                out.headers().add(Planned.RECORD_HEADER, record.recordId().getBytes(StandardCharsets.UTF_8));
                producer.send(out, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
                long n = sent.incrementAndGet();
                if (failure.get() != null) {
                    throw new IllegalStateException("a workload record could not be written", failure.get());
                }
                long due = start + n * 1_000_000_000L / ratePerSecond;
                long ahead = due - System.nanoTime();
                if (ahead > 1_000_000) {
                    Thread.sleep(ahead / 1_000_000);
                }
            }
            producer.flush();
        }
        serializer.close();
        if (failure.get() != null) {
            throw new IllegalStateException("a workload record could not be written", failure.get());
        }
    }
}
