package io.flywheel.safety.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.flywheel.testkit.PrometheusScrape.delta;
import static io.flywheel.testkit.PrometheusScrape.domainSeries;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetConversationVerdictsRequest;
import io.flywheel.query.v1.GetPolicySetRequest;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
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
 * The safety-filter's /q/metrics on a real broker and registry: after poison records, a BLOCK,
 * an ALLOW and query calls the domain series carry the right counts, and 10,000 distinct users
 * add no series.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SafetyMetricsIT {

    private static final FlywheelTestStack STACK = FlywheelTestStack.shared();
    private static final String IN = "llm.completions";

    private static ManagedChannel channel;
    private static SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub queries;
    private static KafkaProducer<String, Completion> completions;
    private static KafkaProducer<String, SafetyPolicy> policies;
    private static KafkaProducer<byte[], byte[]> raw;
    private final PrometheusScrape metrics = new PrometheusScrape(FlywheelServiceResource.port());
    private final String run = Long.toString(System.nanoTime(), 36);

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SafetyQueryServiceGrpc.newBlockingStub(channel);
        completions = STACK.producer(Topics.LLM_COMPLETIONS);
        policies = STACK.producer(Topics.SAFETY_POLICIES);
        raw = STACK.rawProducer();
        QueryReadiness.await(() -> queries.getPolicySet(GetPolicySetRequest.getDefaultInstance()), Duration.ofSeconds(90));
        // Earlier apps of this application id in the same JVM may have left work to redo: counted deltas start after it.
        STACK.awaitCaughtUp("safety-filter", Duration.ofSeconds(90), Topics.LLM_COMPLETIONS.name());
    }

    @AfterAll
    static void disconnect() {
        completions.close();
        policies.close();
        raw.close();
        channel.shutdownNow();
    }

    @Test
    void domainSeriesCountPoisonRecordsABlockAndQueryCalls() throws Exception {
        Map<String, Double> before = metrics.scrape();
        String word = "okapicorn" + run;
        policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), "it.metrics-" + run,
                SafetyPolicy.newBuilder().setId("it.metrics-" + run).setRevision(1).setEnabled(true).setCategory("metrics_it")
                        .setTarget(SafetyTarget.BOTH).setAction(SafetyAction.BLOCK).setSeverity(5)
                        .setKeywords(SafetyPolicy.KeywordList.newBuilder().addKeywords(word)).build())).get();
        metrics.await(before, "flywheel_safety_policy_revision_offset", value -> value >= 0);
        raw.send(new ProducerRecord<>(IN, ("conv-p-" + run).getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2})).get();
        raw.send(new ProducerRecord<>(IN, null, "no key".getBytes(StandardCharsets.UTF_8))).get();
        completions.send(record(completion("b-" + run, "conv-b-" + run, "user-b-" + run, "a wild " + word + " appears"))).get();
        completions.send(record(completion("a-" + run, "conv-a-" + run, "user-a-" + run, "Paris is the capital."))).get();

        Map<String, Double> after = metrics.awaitGrowth(before, "flywheel_records_in_total{topic=\"" + IN + "\"}", 4);
        assertEquals(1, delta(before, after, "flywheel_safety_decisions_total{action=\"block\"}"));
        assertEquals(1, delta(before, after, "flywheel_safety_findings_total{action=\"block\",category=\"metrics_it\"}"));
        assertTrue(delta(before, after, "flywheel_safety_decisions_total{action=\"allow\"}") >= 1);
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"undecodable\",topic=\"" + IN + "\"}"));
        assertEquals(1, delta(before, after, "flywheel_records_dead_lettered_total{reason=\"missing_key\",topic=\"" + IN + "\"}"));
        assertEquals(1, delta(before, after, "flywheel_records_out_total{topic=\"safety.quarantine\"}"));
        assertEquals(2, delta(before, after, "flywheel_records_out_total{topic=\"safety.verdicts\"}"));

        queries.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder().setConversationId("conv-b-" + run).build());
        assertThrows(StatusRuntimeException.class, () -> queries.getUserRisk(GetUserRiskRequest.getDefaultInstance()));
        Map<String, Double> queried = metrics.scrape();
        assertEquals(1, delta(after, queried,
                "flywheel_query_calls_total{method=\"SafetyQueryService/GetConversationVerdicts\",outcome=\"OK\",role=\"active\"}"));
        assertEquals(1, delta(after, queried,
                "flywheel_query_calls_total{method=\"SafetyQueryService/GetUserRisk\",outcome=\"INVALID_ARGUMENT\",role=\"none\"}"));
        assertTrue(queried.containsKey("flywheel_query_declared_lag_records_count{role=\"active\"}"), queried.keySet().toString());
    }

    @Test
    void tenThousandDistinctUsersAddNoSeries() throws Exception {
        completions.send(record(completion("w-" + run, "conv-w-" + run, "user-w-" + run, "warm up"))).get();
        Map<String, Double> before = metrics.awaitGrowth(metrics.scrape(), "flywheel_safety_decisions_total{action=\"allow\"}", 0);
        for (int i = 0; i < 10_000; i++) {
            String id = run + "-" + i;
            completions.send(record(completion("u-" + id, "conv-u-" + id, "user-" + id, "nothing to see")));
        }
        completions.flush();
        Map<String, Double> after = metrics.awaitGrowth(before, "flywheel_safety_decisions_total{action=\"allow\"}", 10_000);

        assertEquals(domainSeries(before).keySet(), domainSeries(after).keySet(), "flywheel_* series after 10,000 distinct users");
        // Kafka's own meters appear as tasks start, so the whole scrape is checked for ids, not counted.
        assertTrue(after.keySet().stream().noneMatch(series -> series.contains(run)), "a series names a user or conversation");
    }

    private static ProducerRecord<String, Completion> record(Completion completion) {
        return new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), completion.getConversationId(), completion);
    }

    private static Completion completion(String id, String conversation, String user, String response) {
        return Completion.newBuilder().setCompletionId(id).setConversationId(conversation).setUserId(user)
                .setModel(ModelRef.newBuilder().setName("gpt-it").setVersion("v1")).setPromptVersion("p1")
                .setPromptText("question").setResponseText(response)
                .setCreatedAt(Timestamps.fromMillis(Instant.now().toEpochMilli())).build();
    }
}
