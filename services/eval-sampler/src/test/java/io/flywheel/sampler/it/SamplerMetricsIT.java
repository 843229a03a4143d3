package io.flywheel.sampler.it;

import static io.flywheel.testkit.PrometheusScrape.delta;
import static io.flywheel.testkit.PrometheusScrape.domainSeries;
import static io.flywheel.testkit.PrometheusScrape.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.PrometheusScrape;
import io.flywheel.testkit.QueryReadiness;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The eval-sampler's /q/metrics on a real broker and registry: after poison records, a flagged
 * completion, a thumb-down and query calls the domain series carry the right counts, and 10,000
 * distinct users add no series. The baseline rate is 0, so every sample has a known reason.
 */
@QuarkusTest
@TestProfile(SamplerMetricsIT.NoBaseline.class)
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SamplerMetricsIT {

    public static final class NoBaseline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flywheel.sampler.default.base-rate", "0.0");
        }
    }

    private static final FlywheelTestStack STACK = FlywheelTestStack.shared();
    private static final String COMPLETIONS = Topics.LLM_COMPLETIONS_SCREENED.name();
    private static final String FEEDBACK = Topics.FEEDBACK_EVENTS.name();
    private static final String COMPLETIONS_IN = "flywheel_records_in_total{topic=\"" + COMPLETIONS + "\"}";
    private static final String FEEDBACK_IN = "flywheel_records_in_total{topic=\"" + FEEDBACK + "\"}";

    private static ManagedChannel channel;
    private static SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub queries;
    private static KafkaProducer<String, ScreenedCompletion> completions;
    private static KafkaProducer<String, FeedbackEvent> feedback;
    private static KafkaProducer<byte[], byte[]> raw;
    private final PrometheusScrape metrics = new PrometheusScrape(FlywheelServiceResource.port());
    private final String run = Long.toString(System.nanoTime(), 36);

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SamplerQueryServiceGrpc.newBlockingStub(channel);
        completions = STACK.producer(Topics.LLM_COMPLETIONS_SCREENED);
        feedback = STACK.producer(Topics.FEEDBACK_EVENTS);
        raw = STACK.rawProducer();
        QueryReadiness.await(() -> queries.listStrata(ListStrataRequest.getDefaultInstance()), Duration.ofSeconds(90));
        // Earlier apps of this application id in the same JVM may have left work to redo: counted deltas start after it.
        STACK.awaitCaughtUp("eval-sampler", Duration.ofSeconds(90), Topics.LLM_COMPLETIONS_SCREENED.name(), Topics.FEEDBACK_EVENTS.name());
    }

    @AfterAll
    static void disconnect() {
        completions.close();
        feedback.close();
        raw.close();
        channel.shutdownNow();
    }

    @Test
    void domainSeriesCountPoisonRecordsSamplesByReasonAndQueryCalls() throws Exception {
        Map<String, Double> before = metrics.scrape();
        long now = System.currentTimeMillis();
        ScreenedCompletion flagged = EvalSamplerIT.completion("conv-f-" + run, "c-f-" + run, "gpt-metrics", now - 60_000,
                SafetyVerdict.Decision.FLAG);
        ScreenedCompletion disliked = EvalSamplerIT.completion("conv-d-" + run, "c-d-" + run, "gpt-metrics", now - 60_000,
                SafetyVerdict.Decision.ALLOW);
        raw.send(new ProducerRecord<>(COMPLETIONS, ("conv-p-" + run).getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2})).get();
        raw.send(new ProducerRecord<>(FEEDBACK, null, "no key".getBytes(StandardCharsets.UTF_8))).get();
        completions.send(new ProducerRecord<>(COMPLETIONS, flagged.getCompletion().getConversationId(), flagged)).get();
        completions.send(new ProducerRecord<>(COMPLETIONS, disliked.getCompletion().getConversationId(), disliked)).get();
        metrics.awaitGrowth(before, COMPLETIONS_IN, 3);
        FeedbackEvent thumbDown = EvalSamplerIT.thumbDown("f-d-" + run, disliked, now - 30_000);
        feedback.send(new ProducerRecord<>(FEEDBACK, thumbDown.getConversationId(), thumbDown)).get();

        Map<String, Double> after = metrics.awaitGrowth(before, "flywheel_records_out_total{topic=\"" + Topics.EVAL_SAMPLES.name() + "\"}", 2);
        assertEquals(3, delta(before, after, COMPLETIONS_IN));
        assertEquals(2, delta(before, after, FEEDBACK_IN));
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"undecodable\",topic=\"" + COMPLETIONS + "\"}"));
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"missing_key\",topic=\"" + FEEDBACK + "\"}"));
        assertEquals(1, samples(after, "safety") - samples(before, "safety"));
        assertEquals(1, samples(after, "negative_feedback") - samples(before, "negative_feedback"));
        assertEquals(0, samples(after, "baseline") - samples(before, "baseline"));
        assertEquals(2, delta(before, after, "flywheel_records_out_total{topic=\"" + Topics.EVAL_SAMPLES.name() + "\"}"));
        assertTrue(after.containsKey("flywheel_sampler_drift_alerts_firing"), after.keySet().toString());

        queries.listStrata(ListStrataRequest.getDefaultInstance());
        assertThrows(StatusRuntimeException.class, () -> queries.getStratumStats(GetStratumStatsRequest.getDefaultInstance()));
        Map<String, Double> queried = metrics.scrape();
        String listed = "flywheel_query_calls_total{method=\"SamplerQueryService/ListStrata\",outcome=\"OK\",";
        assertEquals(1, sum(queried, listed) - sum(after, listed));
        assertEquals(1, delta(after, queried,
                "flywheel_query_calls_total{method=\"SamplerQueryService/GetStratumStats\",outcome=\"INVALID_ARGUMENT\",role=\"none\"}"));
    }

    @Test
    void tenThousandDistinctUsersAddNoSeries() throws Exception {
        long now = System.currentTimeMillis();
        Map<String, Double> start = metrics.scrape();
        send(EvalSamplerIT.completion("conv-w-" + run, "c-w-" + run, "gpt-metrics", now - 60_000, SafetyVerdict.Decision.ALLOW));
        Map<String, Double> before = metrics.awaitGrowth(start, COMPLETIONS_IN, 1);
        for (int i = 0; i < 10_000; i++) {
            String id = run + "-" + i;
            ScreenedCompletion completion = EvalSamplerIT.completion("conv-u-" + id, "c-u-" + id, "gpt-metrics", now - 60_000,
                    i % 10 == 0 ? SafetyVerdict.Decision.FLAG : SafetyVerdict.Decision.ALLOW);
            completions.send(new ProducerRecord<>(COMPLETIONS, completion.getCompletion().getConversationId(), completion));
        }
        completions.flush();
        Map<String, Double> after = metrics.awaitGrowth(before, COMPLETIONS_IN, 10_000);

        assertEquals(domainSeries(before).keySet(), domainSeries(after).keySet(), "flywheel_* series after 10,000 distinct users");
        // Kafka's own meters appear as tasks start, so the whole scrape is checked for ids, not counted.
        assertTrue(after.keySet().stream().noneMatch(series -> series.contains(run)), "a series names a user or conversation");
    }

    private static void send(ScreenedCompletion completion) throws Exception {
        completions.send(new ProducerRecord<>(COMPLETIONS, completion.getCompletion().getConversationId(), completion)).get();
    }

    /** Samples of one reason, over every stratum. */
    private static double samples(Map<String, Double> scrape, String reason) {
        return sum(scrape, "flywheel_sampler_samples_total{reason=\"" + reason + "\",");
    }
}
