package io.flywheel.sampler.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetSamplingPolicyRequest;
import io.flywheel.query.v1.GetSamplingPolicyResponse;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.StratumStats;
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
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged sampler (the JVM jar, or the native executable under -Pnative) as a black box: screened
 * completions in through Kafka and the registry, per-stratum statistics and the policy out over gRPC. It crosses
 * what a native build must have registered: typed configuration, Apicurio Protobuf decoding, RocksDB stores.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class EvalSamplerPackagedIT {

    private static ManagedChannel channel;
    private static SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub queries;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SamplerQueryServiceGrpc.newBlockingStub(channel);
        QueryReadiness.await(() -> queries.listStrata(ListStrataRequest.getDefaultInstance()), Duration.ofSeconds(120));
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void thePolicyInForceIsServed() {
        GetSamplingPolicyResponse policy = queries.getSamplingPolicy(GetSamplingPolicyRequest.getDefaultInstance());
        assertFalse(policy.getSaltFingerprint().isEmpty());
        assertFalse(policy.getPeriod().isEmpty());
        assertTrue(policy.getDefaultStratum().isInitialized());
    }

    @Test
    void everyScreenedCompletionIsSeenInItsStratum() throws Exception {
        String model = "packaged-" + UUID.randomUUID().toString().substring(0, 8);
        int count = 20;
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, ScreenedCompletion> producer = FlywheelTestStack.shared().producer(Topics.LLM_COMPLETIONS_SCREENED)) {
            for (int i = 0; i < count; i++) {
                ScreenedCompletion completion = EvalSamplerIT.completion("conv-" + model + "-" + i, "cmp-" + model + "-" + i, model,
                        now, SafetyVerdict.Decision.ALLOW);
                producer.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS_SCREENED.name(), completion.getCompletion().getConversationId(),
                        completion));
            }
            producer.flush();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        StratumStats stats = null;
        while (System.nanoTime() < deadline && (stats == null || stats.getSeen() < count)) {
            try {
                stats = queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(model).build()).getStats();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND && e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
            }
            Thread.sleep(250);
        }
        assertTrue(stats != null, "the stratum " + model + " never answered");
        assertEquals(count, stats.getSeen());
        assertTrue(stats.getSampled() <= count);
    }
}
