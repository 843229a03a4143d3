package io.flywheel.feedback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.Eventually;
import io.flywheel.testkit.QueryReadiness;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the aggregator on one broker: this test JVM's (A) and a second process (B) from
 * the packaged jar. Any instance answers any key (forwarding to the owner), lists fan out to both,
 * a hard-killed owner's keys are answered by a standby when the caller accepts staleness (before
 * the group reassigns them), UNAVAILABLE with a retry hint to an active-only caller, and by the
 * new owner after the rebalance, with totals intact.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class FeedbackMeshIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final int KEYS = 12;
    private static Process instanceB;

    @AfterAll
    static void stopB() {
        if (instanceB != null && instanceB.isAlive()) {
            instanceB.destroyForcibly();
        }
    }

    private static ModelKey key(int i) {
        return ModelKey.newBuilder().setModelName("mesh-" + RUN + "-" + (i % 4)).setModelVersion("v" + (i / 4))
                .setPromptVersion("p").build();
    }

    @Test
    void anyInstanceAnswersEveryKeyAndAStandbyThenTheNewOwnerTakeOverAfterAHardKill() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        int portA = FlywheelServiceResource.port();
        int portB = freePort();
        instanceB = startInstance(stack, portB);

        ManagedChannel channelA = ManagedChannelBuilder.forAddress("localhost", portA).usePlaintext().build();
        ManagedChannel channelB = ManagedChannelBuilder.forAddress("localhost", portB).usePlaintext().build();
        try {
            var viaA = FeedbackQueryServiceGrpc.newBlockingStub(channelA);
            var viaB = FeedbackQueryServiceGrpc.newBlockingStub(channelB);
            awaitReady(portB, Duration.ofSeconds(120));
            QueryReadiness.await(() -> viaB.listKeys(ListKeysRequest.getDefaultInstance()), Duration.ofSeconds(60));
            // Both in the group: wait until a fan-out reaches two servers.
            Eventually.holds(() -> viaA.listKeys(ListKeysRequest.getDefaultInstance()).getServersCount() == 2, Duration.ofSeconds(90));

            Map<Integer, Long> thumbsUp = new HashMap<>();
            try (KafkaProducer<String, FeedbackEvent> producer = stack.producer(Topics.FEEDBACK_EVENTS)) {
                Instant now = Instant.now();
                for (int n = 0; n < 1200; n++) {
                    int k = n % KEYS;
                    ModelKey key = key(k);
                    String conversation = "mesh-conv-" + RUN + "-" + n;
                    producer.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), conversation, FeedbackEvent.newBuilder()
                            .setFeedbackId("mesh-" + RUN + "-" + n).setConversationId(conversation)
                            .setCompletionId(conversation + "-c").setUserId("u")
                            .setModel(ModelRef.newBuilder().setName(key.getModelName()).setVersion(key.getModelVersion()))
                            .setPromptVersion(key.getPromptVersion())
                            .setCompletionCreatedAt(Timestamps.fromMillis(now.minusSeconds(60).toEpochMilli()))
                            .setOccurredAt(Timestamps.fromMillis(now.toEpochMilli()))
                            .setThumb(FeedbackEvent.Thumb.THUMB_UP).build()));
                    thumbsUp.merge(k, 1L, Long::sum);
                }
                producer.flush();
            }

            // Every key, asked at A and at B, gives the same exact total; some answers were forwarded.
            Set<String> servedBy = new HashSet<>();
            for (int k = 0; k < KEYS; k++) {
                GetStatsRequest request = GetStatsRequest.newBuilder().setKey(key(k)).build();
                long expected = thumbsUp.get(k);
                Eventually.holds(() -> upOrZero(viaA, request) == expected, Duration.ofSeconds(60));
                GetStatsResponse fromA = viaA.getStats(request);
                GetStatsResponse fromB = viaB.getStats(request);
                assertEquals(expected, fromB.getAllTime().getThumbsUp());
                assertEquals(fromA.getMetadata().getServedBy(), fromB.getMetadata().getServedBy(), "one owner per key");
                servedBy.add(fromA.getMetadata().getServedBy());
            }
            assertEquals(Set.of("localhost:" + portA, "localhost:" + portB), servedBy, "keys are spread over both instances");

            ListKeysResponse listed = viaA.listKeys(ListKeysRequest.newBuilder()
                    .setModelName("mesh-" + RUN + "-0").setPage(PageRequest.newBuilder().setPageSize(1)).build());
            assertEquals(2, listed.getServersCount());
            assertTrue(listed.getServersList().stream().allMatch(s -> s.getOk()), listed.getServersList().toString());
            assertEquals(1, listed.getKeysCount());
            assertTrue(!listed.getNextPageToken().isEmpty(), "a second key of that model follows on the next page");

            // Hard-kill B. Its keys: a caller that accepts staleness is answered by the standby (A) while
            // the group still counts B as the owner (had it reassigned, A would answer ACTIVE); an
            // active-only caller gets UNAVAILABLE with a retry hint until A owns everything.
            int keyOfB = -1;
            for (int k = 0; k < KEYS && keyOfB < 0; k++) {
                if (viaA.getStats(GetStatsRequest.newBuilder().setKey(key(k)).build()).getMetadata().getServedBy()
                        .equals("localhost:" + portB)) {
                    keyOfB = k;
                }
            }
            instanceB.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            GetStatsRequest activeOnly = GetStatsRequest.newBuilder().setKey(key(keyOfB)).build();
            GetStatsResponse stale = QueryReadiness.answer(() -> viaA.getStats(activeOnly.toBuilder().setMaxLagRecords(1_000_000).build()),
                    Duration.ofSeconds(30));
            long standbyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.printf("[standby-after-kill] feedback-aggregator: first answer %d ms after the owner's SIGKILL, role %s%n",
                    standbyMs, stale.getMetadata().getRole());
            assertEquals(ResponseMetadata.Role.STANDBY, stale.getMetadata().getRole(), "the standby answered before the group reassigned");
            assertEquals("localhost:" + portA, stale.getMetadata().getServedBy());
            assertEquals(thumbsUp.get(keyOfB), stale.getAllTime().getThumbsUp());

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> viaA.getStats(activeOnly));
            QueryReadiness.requireRetryHint(refused);
            assertTrue(refused.getStatus().getDescription().contains("max_lag_records"), refused.getStatus().getDescription());
            GetStatsResponse fromNewOwner = QueryReadiness.answer(() -> viaA.getStats(activeOnly), Duration.ofSeconds(90));
            System.out.printf("[owner-after-kill] feedback-aggregator: the new owner answered %d ms after the SIGKILL%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertEquals(ResponseMetadata.Role.ACTIVE, fromNewOwner.getMetadata().getRole());
            assertEquals("localhost:" + portA, fromNewOwner.getMetadata().getServedBy());
            assertEquals(thumbsUp.get(keyOfB), fromNewOwner.getAllTime().getThumbsUp());

            for (int k = 0; k < KEYS; k++) {
                GetStatsRequest request = GetStatsRequest.newBuilder().setKey(key(k)).build();
                long expected = thumbsUp.get(k);
                Eventually.holds(() -> {
                    GetStatsResponse answer = viaA.getStats(request);
                    return answer.getMetadata().getRole() == ResponseMetadata.Role.ACTIVE
                            && answer.getMetadata().getServedBy().equals("localhost:" + portA)
                            && answer.getAllTime().getThumbsUp() == expected;
                }, Duration.ofSeconds(90));
            }
        } finally {
            channelA.shutdownNow();
            channelB.shutdownNow();
        }
    }

    private static long upOrZero(FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub stub, GetStatsRequest request) {
        try {
            return stub.getStats(request).getAllTime().getThumbsUp();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND || e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                return 0;
            }
            throw e;
        }
    }

    /** B's readiness: RUNNING reached (shared-runtime's health check). */
    private static void awaitReady(int port, Duration timeout) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + port + "/q/health/ready")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!instanceB.isAlive()) {
                throw new AssertionError("instance B exited with " + instanceB.exitValue() + "; see target/mesh-instance-b.log");
            }
            try {
                if (http.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("instance B not ready within " + timeout + "; see target/mesh-instance-b.log");
    }

    private static Process startInstance(FlywheelTestStack stack, int port) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the integration tests after `package`");
        }
        Path state = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "mesh-b-state");
        Path log = Path.of("target", "mesh-instance-b.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString());
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        builder.environment().put("FLYWHEEL_REGISTRY_URL", stack.registryUrl());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", "localhost:" + port);
        builder.environment().put("KAFKA_STREAMS_STATE_DIR", state.toAbsolutePath().toString());
        builder.environment().put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "10000");
        builder.environment().put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
        return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
