package io.flywheel.testkit;

import com.google.protobuf.Message;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.registry.RegistryAdmin;
import io.flywheel.registry.RegistryProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker (KRaft, in this JVM) and a real Apicurio Registry (child process, global
 * compatibility rule BACKWARD) for integration tests. Started on first use and stopped by a
 * shutdown hook; tests share it, so each should use its own topics, group ids and application ids,
 * or tolerate what others wrote.
 *
 * <p>"Once" is per class loader for the broker and per JVM for the registry: each
 * {@code @QuarkusTest} app with its own test resources loads this class afresh, and so gets a
 * fresh broker (a second starts in well under a second, and no stale group member of an earlier
 * app delays its first rebalance), but the registry (several seconds and a JVM of its own to
 * start) is started once and found again through system properties, which all class loaders see.
 *
 * <p>Longer than most classes here: broker, registry, topics, producers and committed reads are one
 * fixture with one lifecycle that every integration test shares.
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

    /**
     * The largest record the test broker and the stack's producers accept (4 MiB): above the
     * services' own 1 MiB producer limit, so a test can write an oversized input and see what the
     * service does with it.
     */
    public static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

    private static FlywheelTestStack shared;

    /** Where a started registry is found again by the copies of this class in other class loaders. */
    private static final String REGISTRY_URL_PROPERTY = "flywheel.testkit.registry.url";
    private static final String REGISTRY_LOG_PROPERTY = "flywheel.testkit.registry.log";

    private final InJvmBroker broker;
    private final String registryUrl;
    private final Path registryLog;
    private final ProtobufSerdes serdes;

    private FlywheelTestStack(InJvmBroker broker, String registryUrl, Path registryLog) {
        this.broker = broker;
        this.registryUrl = registryUrl;
        this.registryLog = registryLog;
        this.serdes = new ProtobufSerdes(registryUrl);
    }

    /** The stack of this class loader, started on its first call (~10–20 s in a JVM without a registry yet, under a second after). */
    public static synchronized FlywheelTestStack shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static FlywheelTestStack start() {
        InJvmBroker broker = null;
        try {
            broker = InJvmBroker.start();
            startRegistryOnce();
        } catch (Exception e) {
            stopQuietly(broker);
            throw new IllegalStateException("could not start the Flywheel test stack: " + e.getMessage(), e);
        }
        InJvmBroker startedBroker = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(startedBroker), "flywheel-test-broker-stop"));
        return new FlywheelTestStack(broker, System.getProperty(REGISTRY_URL_PROPERTY),
                Path.of(System.getProperty(REGISTRY_LOG_PROPERTY)));
    }

    /** Starts the JVM's registry unless a copy of this class in another class loader already did. */
    private static void startRegistryOnce() throws Exception {
        // The system properties are the one object every class loader's copy of this class shares.
        synchronized (System.getProperties()) {
            if (System.getProperty(REGISTRY_URL_PROPERTY) != null) {
                return;
            }
            RegistryProcess registry = RegistryProcess.startOnFreePorts(logDir(), REGISTRY_READY_TIMEOUT);
            try {
                new RegistryAdmin(registry.apiUrl()).ensureGlobalCompatibility(RegistryAdmin.MESH_COMPATIBILITY, Duration.ofSeconds(30));
            } catch (Exception e) {
                stopQuietly(registry);
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(registry), "flywheel-test-registry-stop"));
            System.setProperty(REGISTRY_LOG_PROPERTY, registry.log().orElseThrow().toString());
            System.setProperty(REGISTRY_URL_PROPERTY, registry.apiUrl());
        }
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
        return registryUrl;
    }

    /** The registry's log file (useful in assertion messages). */
    public Path registryLog() {
        return registryLog;
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
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        return new KafkaProducer<>(config, new StringSerializer(), serdes.valueSerializer(topic.valueType()));
    }

    /**
     * A new producer of raw key and value bytes, for records no serializer would write (garbage,
     * oversized); the caller closes it.
     */
    public KafkaProducer<byte[], byte[]> rawProducer() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Writes {@code values} in order, each serialized through the registry as the services' own
     * producers would, keyed by {@code keyOf}; returns the value bytes of each record, in order
     * (what a dead letter of that record must keep).
     */
    public <V extends Message> List<byte[]> sendAll(TopicSpec<V> topic, List<V> values, Function<V, String> keyOf) {
        List<byte[]> written = new ArrayList<>();
        try (Serializer<V> serializer = serdes.valueSerializer(topic.valueType());
             KafkaProducer<byte[], byte[]> producer = rawProducer()) {
            for (V value : values) {
                byte[] bytes = serializer.serialize(topic.name(), value);
                producer.send(new ProducerRecord<>(topic.name(), keyOf.apply(value).getBytes(StandardCharsets.UTF_8), bytes));
                written.add(bytes);
            }
            producer.flush();
        }
        return written;
    }

    /**
     * Writes {@code valid} with the {@code hostile} records between its two halves, then asserts
     * that {@code applicationId} dead-lettered each hostile record once, keeping its bytes, with a
     * reason that begins with the record's key in {@code hostile}.
     */
    public <V extends Message> void sendAmongValid(String applicationId, TopicSpec<V> topic, List<V> valid,
                                                   Map<String, V> hostile, Function<V, String> keyOf) {
        int half = valid.size() / 2;
        List<V> records = new ArrayList<>(valid.subList(0, half));
        records.addAll(hostile.values());
        records.addAll(valid.subList(half, valid.size()));
        List<byte[]> sent = sendAll(topic, records, keyOf);
        List<DeadLetter.Expected> expected = new ArrayList<>();
        int i = half;
        for (String reasonStart : hostile.keySet()) {
            expected.add(new DeadLetter.Expected(sent.get(i++), reasonStart));
        }
        assertDeadLetteredOnce(applicationId, topic.name(), expected, Duration.ofSeconds(30));
    }

    /**
     * Asserts that each expected record of {@code sourceTopic} is in the dead-letter topic of
     * {@code applicationId} exactly once, keeping its bytes, with a reason that begins as expected.
     * Dead letters of other records are ignored.
     */
    public void assertDeadLetteredOnce(String applicationId, String sourceTopic, List<DeadLetter.Expected> expected,
                                       Duration timeout) {
        List<DeadLetter> dead = readDeadLetters(applicationId,
                letter -> expected.stream().anyMatch(e -> letter.keeps(e.value())), expected.size(), timeout);
        List<String> problems = new ArrayList<>();
        for (DeadLetter.Expected wanted : expected) {
            List<DeadLetter> found = dead.stream().filter(letter -> letter.keeps(wanted.value())).toList();
            if (found.size() != 1) {
                problems.add("'" + wanted.reasonStart() + "…' dead-lettered " + found.size() + " times");
            } else if (!String.valueOf(found.get(0).reason()).startsWith(wanted.reasonStart())) {
                problems.add("reason '" + found.get(0).reason() + "', expected to begin '" + wanted.reasonStart() + "'");
            } else if (!sourceTopic.equals(found.get(0).header(DeadLetter.SOURCE_TOPIC))) {
                problems.add("'" + wanted.reasonStart() + "…' from " + found.get(0).header(DeadLetter.SOURCE_TOPIC));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(applicationId + ".dlq: " + problems);
        }
    }

    /**
     * Reads the dead-letter topic of {@code applicationId} from the beginning (committed records
     * only) until {@code count} records matching {@code wanted} were read or the timeout passed,
     * then for two more seconds so that a repeat would show; returns the matching records.
     */
    public List<DeadLetter> readDeadLetters(String applicationId, Predicate<DeadLetter> wanted, int count, Duration timeout) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "flywheel-testkit-dlq-reader-" + UUID.randomUUID());
        List<DeadLetter> matching = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(applicationId + ".dlq", timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleNanos = Duration.ofSeconds(2).toNanos();
            long stopAt = deadline;
            while (System.nanoTime() < stopAt) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = new DeadLetter(record.key(), record.value(), record.headers());
                    if (wanted.test(letter)) {
                        matching.add(letter);
                    }
                }
                if (matching.size() >= count) {
                    stopAt = Math.min(stopAt, System.nanoTime() + settleNanos);
                }
            }
        }
        return matching;
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

    /**
     * Waits until consumer group {@code groupId} has committed the end of every partition of
     * {@code topics}: a service that resumes where an earlier app of the same application id
     * stopped has worked off that backlog (so counters read afterwards count only what a test sends).
     */
    public void awaitCaughtUp(String groupId, Duration timeout, String... topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> behind = Map.of();
        try (Admin admin = adminClient()) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topics)).allTopicNames().get().values().forEach(topic -> topic.partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest())));
                var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                var committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                behind = ends.entrySet().stream()
                        .filter(end -> end.getValue().offset() > Optional.ofNullable(committed.get(end.getKey())).map(o -> o.offset()).orElse(0L))
                        .collect(Collectors.toMap(Map.Entry::getKey, end -> end.getValue().offset()));
                if (behind.isEmpty()) {
                    return;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + groupId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not read the offsets of " + groupId, e);
        }
        throw new AssertionError(groupId + " did not reach the end of " + behind.keySet() + " within " + timeout);
    }
}
