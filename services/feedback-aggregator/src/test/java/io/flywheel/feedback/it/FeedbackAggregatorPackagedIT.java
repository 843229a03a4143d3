package io.flywheel.feedback.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.QueryReadiness;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged aggregator (the JVM jar, or the native executable under -Pnative) as a black box: feedback in
 * through Kafka and the registry, answers out over gRPC. It crosses what a native build must have registered:
 * Apicurio Protobuf decoding, RocksDB stores, protobuf messages over gRPC, the dead-letter path.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class FeedbackAggregatorPackagedIT {

    private static ManagedChannel channel;
    private static FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub queries;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = FeedbackQueryServiceGrpc.newBlockingStub(channel);
        QueryReadiness.await(() -> queries.listKeys(ListKeysRequest.getDefaultInstance()), Duration.ofSeconds(120));
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void votesSentThroughKafkaAreCountedAndServedOverGrpc() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        ModelRef model = ModelRef.newBuilder().setName("packaged-" + run).setVersion("v1").build();
        Instant created = Instant.now().minusSeconds(60);
        Instant changed = created.plusSeconds(5);
        try (KafkaProducer<String, FeedbackEvent> producer = FlywheelTestStack.shared().producer(Topics.FEEDBACK_EVENTS)) {
            for (int i = 0; i < 10; i++) {
                FeedbackEvent.Builder event = vote(model, "conv-" + run + "-" + i, "cmp-" + run + "-" + i, "user-" + i, created, created);
                event.setThumb(i < 7 ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN);
                send(producer, event.build());
            }
            // The first voter changes their mind: the up vote moves to down.
            send(producer, vote(model, "conv-" + run + "-0", "cmp-" + run + "-0", "user-0", created, changed)
                    .setThumb(FeedbackEvent.Thumb.THUMB_DOWN).build());
            send(producer, vote(model, "conv-" + run + "-1", "cmp-" + run + "-1", "user-1", created, created).setRating(4).build());
            producer.flush();
        }

        GetStatsRequest request = GetStatsRequest.newBuilder().setKey(ModelKey.newBuilder()
                .setModelName(model.getName()).setModelVersion("v1").setPromptVersion("p1")).setLastBuckets(3).build();
        GetStatsResponse stats = awaitStats(request, a -> a.getThumbsUp() == 6 && a.getThumbsDown() == 4 && a.getRatingCount() == 1);
        FeedbackAggregate allTime = stats.getAllTime();
        assertEquals(6, allTime.getThumbsUp());
        assertEquals(4, allTime.getThumbsDown());
        assertEquals(4, allTime.getRatingSum());
        assertFalse(stats.getMetadata().getServedBy().isEmpty());
    }

    @Test
    void undecodableBytesAreDeadLetteredWithTheirSource() throws Exception {
        byte[] key = ("packaged-garbage-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] garbage = {0x13, 0x37, 0x00, 0x42};
        FlywheelTestStack stack = FlywheelTestStack.shared();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), key, garbage)).get();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition dlq = new TopicPartition(Topics.deadLetter("feedback-aggregator", false).name(), 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (Arrays.equals(key, record.key())) {
                        assertArrayEquals(garbage, record.value());
                        assertEquals(Topics.FEEDBACK_EVENTS.name(),
                                new String(record.headers().lastHeader("flywheel.dlq.source.topic").value(), StandardCharsets.UTF_8));
                        return;
                    }
                }
            }
        }
        throw new AssertionError("the undecodable record never reached the dead-letter topic");
    }

    @Test
    void argumentErrorsKeepTheirStatus() {
        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
                () -> queries.getStats(GetStatsRequest.newBuilder().setKey(ModelKey.newBuilder().setModelVersion("v1")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    }

    private static FeedbackEvent.Builder vote(ModelRef model, String conversation, String completion, String user,
                                              Instant completionCreated, Instant occurred) {
        return FeedbackEvent.newBuilder()
                .setFeedbackId(UUID.randomUUID().toString())
                .setConversationId(conversation)
                .setCompletionId(completion)
                .setUserId(user)
                .setModel(model)
                .setPromptVersion("p1")
                .setCompletionCreatedAt(Timestamps.fromMillis(completionCreated.toEpochMilli()))
                .setOccurredAt(Timestamps.fromMillis(occurred.toEpochMilli()));
    }

    private static void send(KafkaProducer<String, FeedbackEvent> producer, FeedbackEvent event) {
        producer.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), event.getConversationId(), event));
    }

    private static GetStatsResponse awaitStats(GetStatsRequest request, Predicate<FeedbackAggregate> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        GetStatsResponse last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = queries.getStats(request);
                if (done.test(last.getAllTime())) {
                    return last;
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND && e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the key never reached the expected counts; last answer: " + last);
    }
}
