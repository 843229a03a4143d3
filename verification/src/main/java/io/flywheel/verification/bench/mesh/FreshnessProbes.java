package io.flywheel.verification.bench.mesh;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.verification.bench.Figure;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How long each service takes to make new input visible, while the mesh runs: probes on fresh
 * keys at a steady pace, timed from the producer's acknowledgement (acks=all).
 * <ul>
 *   <li>feedback-aggregator: a thumb on a model key of its own, until {@code GetStats} (polled over gRPC
 *       every few milliseconds) counts it;</li>
 *   <li>safety-filter: a completion in a conversation of its own, until its verdict is committed
 *       (a read_committed consumer of {@code safety.verdicts} sees the conversation's key);</li>
 *   <li>eval-sampler: the same completion carries an e-mail address, so it is redacted and sampled at
 *       the sampler's safety rate (1.0 by default), until its sample is committed on {@code eval.samples}.</li>
 * </ul>
 * A probe not seen within the timeout is a miss.
 */
final class FreshnessProbes implements AutoCloseable {

    private static final String PREFIX = "bench-probe-";

    /** One probe: when its input was acknowledged and when each service's output was seen (0: not yet). */
    private static final class Probe {
        volatile long ackedNanos;
        volatile long seenNanos;
    }

    private final String bootstrapServers;
    private final ProtobufSerdes serdes;
    private final ManagedChannel aggregator;
    private final Duration timeout;
    private final Map<String, Probe> aggregatorProbes = new ConcurrentHashMap<>();
    private final Map<String, Probe> verdictProbes = new ConcurrentHashMap<>();
    private final Map<String, Probe> sampleProbes = new ConcurrentHashMap<>();
    private final ExecutorService pollers = Executors.newCachedThreadPool(daemon("bench-probe-poll"));
    private final KafkaProducer<String, FeedbackEvent> feedback;
    private final KafkaProducer<String, Completion> completions;
    private final Thread committedReader;
    private volatile boolean running = true;

    FreshnessProbes(String bootstrapServers, String registryUrl, ManagedChannel aggregator, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.serdes = new ProtobufSerdes(registryUrl);
        this.aggregator = aggregator;
        this.timeout = timeout;
        Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.feedback = new KafkaProducer<>(producer, new StringSerializer(), serdes.valueSerializer(Topics.FEEDBACK_EVENTS));
        this.completions = new KafkaProducer<>(producer, new StringSerializer(), serdes.valueSerializer(Topics.LLM_COMPLETIONS));
        // Metadata and schema ids before the first probe, so set-up does not delay the probe schedule.
        feedback.partitionsFor(Topics.FEEDBACK_EVENTS.name());
        completions.partitionsFor(Topics.LLM_COMPLETIONS.name());
        serdes.resolveOutputSchemas();
        KafkaConsumer<String, byte[]> consumer = committedConsumer();
        this.committedReader = new Thread(() -> readCommitted(consumer), "bench-probe-committed");
        committedReader.setDaemon(true);
        committedReader.start();
    }

    private KafkaConsumer<String, byte[]> committedConsumer() {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.SAFETY_VERDICTS.name(), Topics.EVAL_SAMPLES.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolves the end offsets now, so no probe can be written before the position is fixed.
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** Keys are conversation ids: a probe's conversation has one completion, so its key names its verdict and its sample. */
    private void readCommitted(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    if (record.key() != null && record.key().startsWith(PREFIX)) {
                        Map<String, Probe> probes = record.topic().equals(Topics.SAFETY_VERDICTS.name()) ? verdictProbes : sampleProbes;
                        Probe probe = probes.get(record.key());
                        if (probe != null && probe.seenNanos == 0) {
                            probe.seenNanos = System.nanoTime();
                        }
                    }
                }
            }
        }
    }

    /** Sends one probe to each service and returns at once; the aggregator's probe is polled on a thread of its own. */
    void probe() throws Exception {
        String id = PREFIX + UUID.randomUUID();
        Probe thumb = new Probe();
        aggregatorProbes.put(id, thumb);
        FeedbackEvent event = FeedbackEvent.newBuilder().setFeedbackId(id).setConversationId(id).setCompletionId(id).setUserId("bench-probe")
                .setModel(ModelRef.newBuilder().setName("bench-probe").setVersion("1")).setPromptVersion(id)
                .setCompletionCreatedAt(MeshTraffic.now()).setOccurredAt(MeshTraffic.now())
                .setThumb(FeedbackEvent.Thumb.THUMB_UP).build();
        feedback.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), id, event), (metadata, error) -> {
            if (error == null) {
                thumb.ackedNanos = System.nanoTime();
                pollers.submit(() -> pollStats(id, thumb));
            }
        });
        Probe verdict = new Probe();
        Probe sample = new Probe();
        verdictProbes.put(id, verdict);
        sampleProbes.put(id, sample);
        Completion completion = Completion.newBuilder().setCompletionId(id + "-t0").setConversationId(id).setUserId("bench-probe")
                .setModel(ModelRef.newBuilder().setName("bench-probe").setVersion("1")).setPromptVersion("probe")
                .setLocale("en-US").setRegion("eu-west-1").setPromptText("Where do I send the invoice?")
                .setResponseText("Please send it to invoices@example.com.").setCreatedAt(MeshTraffic.now()).build();
        completions.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), id, completion), (metadata, error) -> {
            if (error == null) {
                long now = System.nanoTime();
                verdict.ackedNanos = now;
                sample.ackedNanos = now;
            }
        });
    }

    private void pollStats(String id, Probe probe) {
        var stub = FeedbackQueryServiceGrpc.newBlockingStub(aggregator);
        GetStatsRequest request = GetStatsRequest.newBuilder()
                .setKey(ModelKey.newBuilder().setModelName("bench-probe").setModelVersion("1").setPromptVersion(id)).build();
        while (running && System.nanoTime() - probe.ackedNanos < timeout.toNanos()) {
            try {
                if (stub.withDeadlineAfter(2, TimeUnit.SECONDS).getStats(request).getAllTime().getThumbsUp() == 1) {
                    probe.seenNanos = System.nanoTime();
                    return;
                }
            } catch (StatusRuntimeException notYet) {
                // NOT_FOUND until the key is counted; UNAVAILABLE while the owner moves: a client would ask again
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits up to the timeout for the last probes, then reports per service: p50/p99/max, probes and misses. */
    List<Figure> finish() throws InterruptedException {
        feedback.flush();
        completions.flush();
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline && !allSeen()) {
            Thread.sleep(100);
        }
        List<Figure> figures = new ArrayList<>();
        figures.addAll(figures("feedback-aggregator", aggregatorProbes));
        figures.addAll(figures("safety-filter", verdictProbes));
        figures.addAll(figures("eval-sampler", sampleProbes));
        return figures;
    }

    private boolean allSeen() {
        return List.of(aggregatorProbes, verdictProbes, sampleProbes).stream()
                .allMatch(probes -> probes.values().stream().allMatch(p -> p.seenNanos != 0));
    }

    private List<Figure> figures(String service, Map<String, Probe> probes) {
        Latencies latencies = new Latencies();
        long misses = 0;
        for (Probe probe : probes.values()) {
            long took = probe.seenNanos - probe.ackedNanos;
            if (probe.ackedNanos == 0 || probe.seenNanos == 0 || took > timeout.toNanos()) {
                misses++;
            } else {
                latencies.recordNanos(Math.max(0, took));
            }
        }
        List<Figure> figures = new ArrayList<>();
        if (latencies.count() > 0) {
            figures.addAll(latencies.figures(service + ".freshness", true));
        }
        figures.add(Figure.of(service + ".freshness.probes", probes.size(), "count"));
        figures.add(Figure.of(service + ".freshness.misses", misses, "count"));
        return figures;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        committedReader.join(5_000);
        pollers.shutdownNow();
        feedback.close();
        completions.close();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
