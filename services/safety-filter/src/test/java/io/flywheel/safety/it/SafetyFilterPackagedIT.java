package io.flywheel.safety.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyFinding;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetConversationVerdictsRequest;
import io.flywheel.query.v1.GetConversationVerdictsResponse;
import io.flywheel.query.v1.GetPolicySetRequest;
import io.flywheel.query.v1.GetPolicySetResponse;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.GetUserRiskResponse;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.QueryReadiness;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged safety filter (the JVM jar, or the native executable under -Pnative) as a black box: a completion
 * in through Kafka and the registry, its verdict and the user's risk out over gRPC. It crosses what a native build
 * must carry: the default policy pack and libphonenumber's metadata as resources, RE2/J, Apicurio Protobuf
 * decoding, RocksDB stores and the global policy store.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SafetyFilterPackagedIT {

    private static ManagedChannel channel;
    private static SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub queries;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SafetyQueryServiceGrpc.newBlockingStub(channel);
        QueryReadiness.await(() -> queries.getPolicySet(GetPolicySetRequest.getDefaultInstance()), Duration.ofSeconds(120));
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void theDefaultPackIsInForce() {
        GetPolicySetResponse set = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance());
        Set<String> active = set.getActiveList().stream().map(p -> p.getId()).collect(Collectors.toSet());
        assertTrue(active.containsAll(Set.of("default.email", "default.phone")), active.toString());
        assertTrue(set.getRevision().contains("@"), set.getRevision());
    }

    @Test
    void aCompletionWithAnEmailAndAPhoneNumberIsRedactedAndCountsAgainstItsUser() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String conversation = "conv-packaged-" + run;
        String user = "user-packaged-" + run;
        Completion completion = Completion.newBuilder()
                .setCompletionId("cmp-packaged-" + run)
                .setConversationId(conversation)
                .setUserId(user)
                .setModel(ModelRef.newBuilder().setName("gpt-packaged").setVersion("v1"))
                .setPromptVersion("p1")
                .setPromptText("How do I reach support?")
                .setResponseText("Write to ann." + run + "@example.com or call +41 44 668 18 00.")
                .setCreatedAt(Timestamps.fromMillis(System.currentTimeMillis()))
                .build();
        try (KafkaProducer<String, Completion> producer = FlywheelTestStack.shared().producer(Topics.LLM_COMPLETIONS)) {
            producer.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), conversation, completion)).get();
        }

        SafetyVerdict verdict = awaitVerdict(conversation);
        assertEquals(SafetyVerdict.Decision.REDACT, verdict.getDecision());
        Set<String> policies = verdict.getFindingsList().stream().map(SafetyFinding::getPolicyId).collect(Collectors.toSet());
        assertEquals(Set.of("default.email", "default.phone"), policies);

        // Risk is counted per user after a repartition by user_id: it may follow the verdict by a commit or two.
        GetUserRiskResponse risk = await(() -> queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build()),
                answer -> findings(answer) >= 2, "no risk recorded for " + user);
        assertEquals(2, findings(risk), risk.toString());
        assertFalse(risk.getMetadata().getServedBy().isEmpty());
    }

    private static SafetyVerdict awaitVerdict(String conversation) throws InterruptedException {
        GetConversationVerdictsResponse answer = await(() -> queries.getConversationVerdicts(
                        GetConversationVerdictsRequest.newBuilder().setConversationId(conversation).build()),
                verdicts -> verdicts.getVerdictsCount() > 0, "no verdict for " + conversation + " over gRPC");
        assertEquals(1, answer.getVerdictsCount(), "one verdict per completion");
        return answer.getVerdicts(0);
    }

    private static long findings(GetUserRiskResponse risk) {
        return risk.getWindowsList().stream().mapToLong(w -> w.getFindingCount()).sum();
    }

    /** Asks until the answer is there and {@code done}; NOT_FOUND and UNAVAILABLE mean not yet. */
    private static <T> T await(Supplier<T> query, Predicate<T> done, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                T answer = query.get();
                if (done.test(answer)) {
                    return answer;
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND && e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError(failure);
    }
}
