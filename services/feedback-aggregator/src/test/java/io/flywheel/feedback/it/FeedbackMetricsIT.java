package io.flywheel.feedback.it;

import static io.flywheel.testkit.PrometheusScrape.delta;
import static io.flywheel.testkit.PrometheusScrape.domainSeries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.PrometheusScrape;
import io.flywheel.testkit.QueryReadiness;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The feedback-aggregator's /q/metrics on a real broker and registry: after poison records, votes
 * on two new keys and query calls the domain series carry the right counts, and 10,000 distinct
 * users add no series.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class FeedbackMetricsIT {

    private static final FlywheelTestStack STACK = FlywheelTestStack.shared();
    private static final String IN = Topics.FEEDBACK_EVENTS.name();
    private static final String RECORDS_IN = "flywheel_records_in_total{topic=\"" + IN + "\"}";

    private static ManagedChannel channel;
    private static FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub queries;
    private static KafkaProducer<String, FeedbackEvent> feedback;
    private static KafkaProducer<byte[], byte[]> raw;
    private final PrometheusScrape metrics = new PrometheusScrape(FlywheelServiceResource.port());
    private final String run = Long.toString(System.nanoTime(), 36);

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = FeedbackQueryServiceGrpc.newBlockingStub(channel);
        feedback = STACK.producer(Topics.FEEDBACK_EVENTS);
        raw = STACK.rawProducer();
        QueryReadiness.await(() -> queries.listKeys(ListKeysRequest.getDefaultInstance()), Duration.ofSeconds(90));
        // Earlier apps of this application id in the same JVM may have left work to redo: counted deltas start after it.
        STACK.awaitCaughtUp("feedback-aggregator", Duration.ofSeconds(90), Topics.FEEDBACK_EVENTS.name());
    }

    @AfterAll
    static void disconnect() {
        feedback.close();
        raw.close();
        channel.shutdownNow();
    }

    @Test
    void domainSeriesCountPoisonRecordsVotesAndQueryCalls() throws Exception {
        Map<String, Double> before = metrics.scrape();
        raw.send(new ProducerRecord<>(IN, ("conv-p-" + run).getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2})).get();
        raw.send(new ProducerRecord<>(IN, null, "no key".getBytes(StandardCharsets.UTF_8))).get();
        // One vote on each of two keys no earlier traffic touched: each key rolls up once, all-time and bucket.
        send(thumb("a-" + run, "model-a-" + run, "user-a-" + run));
        send(thumb("b-" + run, "model-b-" + run, "user-b-" + run));

        metrics.awaitGrowth(before, RECORDS_IN, 4);
        Map<String, Double> after = metrics.awaitGrowth(before, "flywheel_feedback_aggregates_updated_total{scope=\"bucket\"}", 2);
        assertEquals(4, delta(before, after, RECORDS_IN));
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"undecodable\",topic=\"" + IN + "\"}"));
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"missing_key\",topic=\"" + IN + "\"}"));
        assertEquals(2, delta(before, after, "flywheel_feedback_aggregates_updated_total{scope=\"all_time\"}"));
        assertEquals(2, delta(before, after, "flywheel_feedback_aggregates_updated_total{scope=\"bucket\"}"));
        assertEquals(4, delta(before, after, "flywheel_records_out_total{topic=\"" + Topics.FEEDBACK_AGGREGATES.name() + "\"}"));
        // 1 while Kafka Streams runs; a probing rebalance may hold it at 0 for a moment.
        metrics.await(after, "flywheel_streams_running", running -> running == 1.0);

        queries.getStats(GetStatsRequest.newBuilder().setKey(key("model-a-" + run)).build());
        assertThrows(StatusRuntimeException.class, () -> queries.getStats(GetStatsRequest.getDefaultInstance()));
        Map<String, Double> queried = metrics.scrape();
        assertEquals(1, delta(after, queried,
                "flywheel_query_calls_total{method=\"FeedbackQueryService/GetStats\",outcome=\"OK\",role=\"active\"}"));
        assertEquals(1, delta(after, queried,
                "flywheel_query_calls_total{method=\"FeedbackQueryService/GetStats\",outcome=\"INVALID_ARGUMENT\",role=\"none\"}"));
        assertTrue(queried.containsKey("flywheel_query_declared_lag_records_count{role=\"active\"}"), queried.keySet().toString());
    }

    @Test
    void tenThousandDistinctUsersAddNoSeries() throws Exception {
        Map<String, Double> start = metrics.scrape();
        send(thumb("w-" + run, "model-w", "user-w-" + run));
        Map<String, Double> before = metrics.awaitGrowth(start, RECORDS_IN, 1);
        for (int i = 0; i < 10_000; i++) {
            String id = run + "-" + i;
            feedback.send(record(thumb("u-" + id, "model-w", "user-" + id)));
        }
        feedback.flush();
        Map<String, Double> after = metrics.awaitGrowth(before, RECORDS_IN, 10_000);

        assertEquals(domainSeries(before).keySet(), domainSeries(after).keySet(), "flywheel_* series after 10,000 distinct users");
        // Kafka's own meters appear as tasks start, so the whole scrape is checked for ids, not counted.
        assertTrue(after.keySet().stream().noneMatch(series -> series.contains(run)), "a series names a user or conversation");
    }

    private static void send(FeedbackEvent event) throws Exception {
        feedback.send(record(event)).get();
    }

    private static ProducerRecord<String, FeedbackEvent> record(FeedbackEvent event) {
        return new ProducerRecord<>(IN, event.getConversationId(), event);
    }

    private static ModelKey key(String model) {
        return ModelKey.newBuilder().setModelName(model).setModelVersion("v1").setPromptVersion("p1").build();
    }

    private static FeedbackEvent thumb(String id, String model, String user) {
        Instant now = Instant.now();
        return FeedbackEvent.newBuilder().setFeedbackId("f-" + id).setConversationId("conv-" + id).setCompletionId("c-" + id)
                .setUserId(user).setModel(ModelRef.newBuilder().setName(model).setVersion("v1")).setPromptVersion("p1")
                .setCompletionCreatedAt(Timestamps.fromMillis(now.minusSeconds(60).toEpochMilli()))
                .setOccurredAt(Timestamps.fromMillis(now.minusSeconds(1).toEpochMilli()))
                .setThumb(FeedbackEvent.Thumb.THUMB_UP).build();
    }
}
