package io.flywheel.feedback.bench;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.feedback.topology.AggregatorSettings;
import io.flywheel.feedback.topology.FeedbackTopology;
import io.flywheel.model.Topics;
import io.flywheel.testkit.FlywheelTestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Throughput of the aggregator topology against a bytes-in/bytes-out passthrough, on the same
 * real broker, the same input and the same settings (exactly-once v2), alternating rounds so
 * machine noise hits both. Reports the median records/s of each and their ratio.
 *
 * <pre>./mvnw -B -q -pl services/feedback-aggregator -Pbench verify</pre>
 * System properties: {@code bench.events} (default 300000), {@code bench.rounds} (default 3).
 */
public final class AggregatorThroughput {

    private static final io.flywheel.model.TopicSpec<byte[]> PASSTHROUGH_OUTPUT = new io.flywheel.model.TopicSpec<>(
            "bench.passthrough.copy", "conversation_id", byte[].class, Topics.CONVERSATION_PARTITIONS,
            io.flywheel.model.TopicSpec.Cleanup.DELETE, java.util.Optional.of(Duration.ofHours(1)), false);

    public static void main(String[] args) throws Exception {
        // Outside Quarkus nothing sets log levels: per-record TRACE formatting would dominate.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("kafka").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("io.apicurio").setLevel(java.util.logging.Level.WARNING);
        int events = Integer.getInteger("bench.events", 300_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        FlywheelTestStack stack = FlywheelTestStack.shared();
        // The stack is new in this JVM, so the catalogue's feedback.events holds only this input.
        String input = Topics.FEEDBACK_EVENTS.name();
        stack.createTopics(Topics.FEEDBACK_EVENTS, Topics.FEEDBACK_AGGREGATES, Topics.FEEDBACK_ALERTS, PASSTHROUGH_OUTPUT);
        produce(stack, input, events);
        System.out.printf("produced %d feedback events to %s (%d partitions)%n", events, input, Topics.FEEDBACK_EVENTS.partitions());

        List<Double> passthrough = new ArrayList<>();
        List<Double> aggregator = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            passthrough.add(run(stack, input, events, "bench-passthrough-" + round, appId -> passthroughTopology(input)));
            aggregator.add(run(stack, input, events, "bench-aggregator-" + round, appId -> aggregatorTopology(stack, input, appId)));
            System.out.printf("round %d: passthrough %.0f rec/s, aggregator %.0f rec/s%n", round,
                    passthrough.get(round - 1), aggregator.get(round - 1));
        }
        double p = median(passthrough);
        double a = median(aggregator);
        System.out.printf("RESULT events=%d rounds=%d passthrough_median=%.0f rec/s aggregator_median=%.0f rec/s ratio=%.2f%n",
                events, rounds, p, a, a / p);
        System.exit(0);
    }

    interface TopologyFactory {
        Topology build(String applicationId);
    }

    private static Topology passthroughTopology(String input) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read"))
                .to(PASSTHROUGH_OUTPUT.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("write"));
        return builder.build();
    }

    private static Topology aggregatorTopology(FlywheelTestStack stack, String input, String applicationId) {
        AggregatorSettings defaults = AggregatorSettings.defaults();
        AggregatorSettings settings = new AggregatorSettings(applicationId, defaults.buckets(), defaults.maxClockSkew(),
                defaults.flushInterval(), defaults.drift());
        stack.createTopics(FeedbackTopology.deadLetterTopic(settings));
        return FeedbackTopology.build(settings, stack.serdes());
    }

    private static double run(FlywheelTestStack stack, String input, int events, String applicationId, TopologyFactory topology)
            throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId + "-" + UUID.randomUUID().toString().substring(0, 6));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("bench-state").toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        String groupId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        long start = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(topology.build(groupId), props); Admin admin = stack.adminClient()) {
            streams.start();
            awaitConsumed(admin, groupId, input, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            // CPU per record is steadier than records/s on a loaded machine; read before the threads end.
            System.out.printf("  %s: %.2f us stream-thread CPU per record%n", applicationId, streamThreadCpuNanos(groupId) / 1e3 / events);
            streams.close(Duration.ofSeconds(30));
            return events / seconds;
        }
    }

    private static long streamThreadCpuNanos(String applicationId) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (java.lang.management.ThreadInfo thread : threads.dumpAllThreads(false, false)) {
            if (thread.getThreadName().startsWith(applicationId) && thread.getThreadName().contains("StreamThread")) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return nanos;
    }

    private static void awaitConsumed(Admin admin, String groupId, String topic, Duration timeout) throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        Map<TopicPartition, Long> end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            boolean done = partitions.stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= end.get(tp));
            if (done) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(groupId + " did not consume " + topic + " within " + timeout);
    }

    /** 12 model keys, vote changes, clears, duplicates, 5 % out of order: the shape of the reference comparison in docs/benchmarks.md. */
    private static void produce(FlywheelTestStack stack, String topic, int events) {
        Random random = new Random(1);
        Instant now = Instant.now();
        List<FeedbackEvent> batch = new ArrayList<>(events);
        for (int i = 0; batch.size() < events; i++) {
            int model = random.nextInt(12);
            String completion = "cmp-" + (i / 3);
            Instant created = now.minusSeconds(random.nextInt(6 * 3600));
            long at = created.toEpochMilli() + random.nextInt(600_000);
            FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                    .setFeedbackId(UUID.randomUUID().toString())
                    .setConversationId("conv-" + (i / 6))
                    .setCompletionId(completion)
                    .setUserId("user-" + random.nextInt(3))
                    .setModel(ModelRef.newBuilder().setName("model-" + (model % 4)).setVersion("v" + (model / 4)))
                    .setPromptVersion("prompt-" + (model % 3))
                    .setCompletionCreatedAt(Timestamps.fromMillis(created.toEpochMilli()))
                    .setOccurredAt(Timestamps.fromMillis(Math.min(at, now.toEpochMilli())));
            int kind = random.nextInt(10);
            if (kind < 5) {
                event.setThumb(random.nextBoolean() ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN);
            } else if (kind < 8) {
                event.setRating(1 + random.nextInt(5));
            } else if (kind < 9) {
                event.setCleared(FeedbackEvent.Cleared.getDefaultInstance());
            } else {
                event.setCopied(FeedbackEvent.Copied.getDefaultInstance());
            }
            batch.add(event.build());
        }
        for (int i = 0; i < batch.size() / 20; i++) {
            Collections.swap(batch, random.nextInt(batch.size()), random.nextInt(batch.size()));
        }
        try (KafkaProducer<String, FeedbackEvent> producer = stack.producer(Topics.FEEDBACK_EVENTS)) {
            for (FeedbackEvent event : batch) {
                producer.send(new ProducerRecord<>(topic, event.getConversationId(), event));
            }
            producer.flush();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
