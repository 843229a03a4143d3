package io.flywheel.testkit;

import com.google.protobuf.Message;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.registry.RegistryAdmin;
import io.flywheel.registry.RegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker (KRaft, in this JVM) and a real Apicurio Registry (child process, global
 * compatibility rule BACKWARD) for integration tests. Started once per JVM on first use and
 * stopped by a shutdown hook; tests share it, so each should use its own topics, group ids and
 * application ids, or tolerate what others wrote.
 *
 * <pre>{@code
 * FlywheelTestStack stack = FlywheelTestStack.shared();
 * stack.createTopics(Topics.FEEDBACK_EVENTS);
 * try (var producer = stack.producer(Topics.FEEDBACK_EVENTS)) { ... }
 * var records = stack.readCommitted(Topics.FEEDBACK_EVENTS, 3, Duration.ofSeconds(20));
 * }</pre>
 */
public final class FlywheelTestStack {

    private static final Duration REGISTRY_READY_TIMEOUT = Duration.ofSeconds(120);

    private static FlywheelTestStack shared;

    private final InJvmBroker broker;
    private final RegistryProcess registry;
    private final ProtobufSerdes serdes;

    private FlywheelTestStack(InJvmBroker broker, RegistryProcess registry) {
        this.broker = broker;
        this.registry = registry;
        this.serdes = new ProtobufSerdes(registry.apiUrl());
    }

    /** The stack of this JVM, started on the first call (~10–20 s: the registry dominates). */
    public static synchronized FlywheelTestStack shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static FlywheelTestStack start() {
        InJvmBroker broker = null;
        RegistryProcess registry = null;
        try {
            broker = InJvmBroker.start();
            registry = RegistryProcess.startOnFreePorts(logDir(), REGISTRY_READY_TIMEOUT);
            new RegistryAdmin(registry.apiUrl()).ensureGlobalCompatibility(RegistryAdmin.MESH_COMPATIBILITY, Duration.ofSeconds(30));
        } catch (Exception e) {
            stopQuietly(registry, broker);
            throw new IllegalStateException("could not start the Flywheel test stack: " + e.getMessage(), e);
        }
        InJvmBroker startedBroker = broker;
        RegistryProcess startedRegistry = registry;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(startedRegistry, startedBroker),
                "flywheel-test-stack-stop"));
        return new FlywheelTestStack(broker, registry);
    }

    private static void stopQuietly(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                System.err.println("flywheel test stack: stopping " + part.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }

    /** Child-process logs go to {@code target/flywheel-testkit} of the module under test. */
    private static Path logDir() {
        String configured = System.getProperty("flywheel.testkit.log.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path target = Path.of("target");
        return Files.isDirectory(target) ? target.resolve("flywheel-testkit") : Path.of(System.getProperty("java.io.tmpdir"), "flywheel-testkit");
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Base URL of the registry's v3 REST API ({@code http://127.0.0.1:<port>/apis/registry/v3}). */
    public String registryUrl() {
        return registry.apiUrl();
    }

    /** The registry's log file (useful in assertion messages). */
    public Path registryLog() {
        return registry.log().orElseThrow();
    }

    /** The project's serde factory, pointed at this registry. */
    public ProtobufSerdes serdes() {
        return serdes;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin adminClient() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /**
     * Creates the topics with their catalogue partition counts and configs; topics that already
     * exist are left as they are.
     */
    public void createTopics(TopicSpec<?>... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec<?> topic : topics) {
            newTopics.add(new NewTopic(topic.name(), Optional.of(topic.partitions()), Optional.empty())
                    .configs(topic.topicConfigs()));
        }
        try (Admin admin = adminClient()) {
            for (var result : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    result.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + result.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new idempotent producer of a topic's Protobuf values (String keys, default murmur2
     * partitioning, values through the registry); the caller closes it.
     */
    public <V extends Message> KafkaProducer<String, V> producer(TopicSpec<V> topic) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), serdes.valueSerializer(topic.valueType()));
    }

    /**
     * Reads a topic from the beginning, committed records only, until {@code count} records were
     * read or the timeout passed; returns what it read (so a test can assert on the count).
     */
    public <V extends Message> List<ConsumerRecord<String, V>> readCommitted(TopicSpec<V> topic, int count, Duration timeout) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "flywheel-testkit-reader-" + UUID.randomUUID());
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                serdes.valueDeserializer(topic.valueType()))) {
            // Assigned, not subscribed: no group, no rebalance to wait for.
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
