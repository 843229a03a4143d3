package io.flywheel.safety.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.flywheel.query.v1.GetUserRiskResponse;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.RiskWindow;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub;
import io.flywheel.testkit.Eventually;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.QueryReadiness;
import io.flywheel.testkit.SecondInstance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Two safety-filter instances on one broker: this test JVM's (A) and a second process (B) from the
 * packaged jar. User risk is keyed by user (after the findings repartition): either instance
 * answers for any user by forwarding to the owner; escalations are listed by fanning out to both
 * and paged across them; after a hard kill of B a standby answers callers that accept staleness
 * (before the group reassigns B's partitions), active-only callers get UNAVAILABLE with a retry
 * hint, and then A owns every user with exact counts.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SafetyMeshIT {

    private static final String RUN = UUID.randomUUID().toString().replaceAll("[^a-f]", "").substring(0, 6);
    private static final int USERS = 12;
    private static final int PER_USER = 4;
    private static SecondInstance instanceB;

    @AfterAll
    static void stopB() throws InterruptedException {
        if (instanceB != null) {
            instanceB.close();
        }
    }

    private static String user(int i) {
        return "mesh-user-" + RUN + "-" + (char) ('a' + i);
    }

    private static long findings(SafetyQueryServiceBlockingStub stub, String user) {
        try {
            return stub.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build()).getWindowsList().stream()
                    .mapToLong(RiskWindow::getFindingCount).sum();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return 0;
            }
            throw e;
        }
    }

    @Test
    void anyInstanceAnswersEveryUserEscalationsPageAcrossBothAndAStandbyThenTheSurvivorTakeOver() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        int portA = FlywheelServiceResource.port();
        // The packaged jar runs the prod profile: give it the test profile's escalation threshold.
        instanceB = SecondInstance.start(stack, Map.of("FLYWHEEL_SAFETY_ESCALATION_THRESHOLD", "3"));
        ManagedChannel channelA = ManagedChannelBuilder.forAddress("localhost", portA).usePlaintext().build();
        ManagedChannel channelB = ManagedChannelBuilder.forAddress("localhost", instanceB.port()).usePlaintext().build();
        try {
            var viaA = SafetyQueryServiceGrpc.newBlockingStub(channelA);
            var viaB = SafetyQueryServiceGrpc.newBlockingStub(channelB);
            instanceB.awaitReady(Duration.ofMinutes(5));
            QueryReadiness.await(() -> viaB.getPolicySet(GetPolicySetRequest.getDefaultInstance()), Duration.ofSeconds(60));
            Eventually.holds(() -> viaA.listEscalations(ListEscalationsRequest.getDefaultInstance()).getServersCount() == 2, Duration.ofSeconds(90));

            // One finding per completion, from a keyword of this run only (other tests change the defaults).
            String word = "meshword" + RUN;
            String policyId = "mesh-" + RUN;
            try (KafkaProducer<String, SafetyPolicy> policies = stack.producer(Topics.SAFETY_POLICIES)) {
                policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), policyId, SafetyPolicy.newBuilder().setId(policyId)
                        .setRevision(1).setEnabled(true).setCategory("mesh").setTarget(SafetyTarget.RESPONSE).setAction(SafetyAction.FLAG)
                        .setSeverity(1).setKeywords(SafetyPolicy.KeywordList.newBuilder().addKeywords(word)).build())).get();
            }
            for (var stub : List.of(viaA, viaB)) {
                Eventually.holds(() -> stub.getPolicySet(GetPolicySetRequest.getDefaultInstance()).getActiveList().stream()
                        .anyMatch(p -> p.getId().equals(policyId)), Duration.ofSeconds(30));
            }

            Instant created = Instant.now().minusSeconds(60);
            try (KafkaProducer<String, Completion> producer = stack.producer(Topics.LLM_COMPLETIONS)) {
                for (int u = 0; u < USERS; u++) {
                    for (int n = 0; n < PER_USER; n++) {
                        String conversation = "mesh-conv-" + RUN + "-" + u + "-" + n;
                        producer.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), conversation, Completion.newBuilder()
                                .setCompletionId(conversation + "-c").setConversationId(conversation).setUserId(user(u))
                                .setModel(ModelRef.newBuilder().setName("mesh").setVersion("v1")).setPromptVersion("p")
                                .setPromptText("tell me a story").setResponseText("once upon a time there was a " + word + " in a box")
                                .setCreatedAt(Timestamps.fromMillis(created.toEpochMilli())).build()));
                    }
                }
                producer.flush();
            }

            // Every user, asked at A and at B: the same exact count from the same owner; owners are both instances.
            Set<String> owners = new HashSet<>();
            for (int u = 0; u < USERS; u++) {
                String user = user(u);
                Eventually.holds(() -> findings(viaA, user) == PER_USER, Duration.ofSeconds(60));
                GetUserRiskResponse fromA = viaA.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build());
                GetUserRiskResponse fromB = viaB.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build());
                assertEquals(PER_USER, findings(viaB, user));
                assertEquals(fromA.getMetadata().getServedBy(), fromB.getMetadata().getServedBy(), "one owner per user");
                assertTrue(fromA.getWindows(0).getEscalated(), "4 findings reach the threshold of 3");
                owners.add(fromA.getMetadata().getServedBy());
            }
            assertEquals(Set.of("localhost:" + portA, instanceB.address()), owners, "users are spread over both instances");

            // Verdicts are kept per conversation: forwarded to the conversation's owner.
            String conversation = "mesh-conv-" + RUN + "-0-0";
            var verdictsA = viaA.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder().setConversationId(conversation).build());
            var verdictsB = viaB.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder().setConversationId(conversation).build());
            assertEquals(1, verdictsA.getVerdictsCount());
            assertEquals(verdictsA.getVerdictsList(), verdictsB.getVerdictsList());
            assertEquals(verdictsA.getMetadata().getServedBy(), verdictsB.getMetadata().getServedBy());

            // Escalations: one per user, listed from both instances, one per page, none lost or repeated.
            List<String> paged = new ArrayList<>();
            String token = "";
            do {
                ListEscalationsResponse page = viaB.listEscalations(ListEscalationsRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setPageSize(1).setPageToken(token)).build());
                assertEquals(2, page.getServersCount());
                assertTrue(page.getServersList().stream().allMatch(s -> s.getOk()), page.getServersList().toString());
                page.getEscalationsList().forEach(e -> paged.add(e.getUserId()));
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            List<String> ours = paged.stream().filter(u -> u.startsWith("mesh-user-" + RUN)).toList();
            List<String> expected = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                expected.add(user(u));
            }
            // Judged last, so the standby and takeover below run even when paging is broken.
            List<String> listedBeforeTheKill = ours;

            // Hard-kill B. Its users: UNAVAILABLE to active-only callers, a standby answers within a lag bound,
            // then A owns every user with exact counts.
            String userOfB = null;
            for (int u = 0; u < USERS && userOfB == null; u++) {
                if (viaA.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user(u)).build()).getMetadata().getServedBy()
                        .equals(instanceB.address())) {
                    userOfB = user(u);
                }
            }
            instanceB.kill();
            long killed = System.nanoTime();
            GetUserRiskRequest activeOnly = GetUserRiskRequest.newBuilder().setUserId(userOfB).build();
            GetUserRiskResponse stale = QueryReadiness.answer(() -> viaA.getUserRisk(activeOnly.toBuilder().setMaxLagRecords(1_000_000).build()),
                    Duration.ofSeconds(30));
            long standbyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.printf("[standby-after-kill] safety-filter: first answer %d ms after the owner's SIGKILL, role %s%n",
                    standbyMs, stale.getMetadata().getRole());
            // Had the group reassigned B's partitions, A would answer as their ACTIVE owner.
            assertEquals(ResponseMetadata.Role.STANDBY, stale.getMetadata().getRole(), "the standby answered before the group reassigned");
            assertEquals("localhost:" + portA, stale.getMetadata().getServedBy());
            assertEquals(PER_USER, stale.getWindowsList().stream().mapToLong(RiskWindow::getFindingCount).sum());

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> viaA.getUserRisk(activeOnly));
            QueryReadiness.requireRetryHint(refused);
            assertTrue(refused.getStatus().getDescription().contains("max_lag_records"), refused.getStatus().getDescription());
            GetUserRiskResponse fromNewOwner = QueryReadiness.answer(() -> viaA.getUserRisk(activeOnly), Duration.ofSeconds(90));
            System.out.printf("[owner-after-kill] safety-filter: the new owner answered %d ms after the SIGKILL%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertEquals(ResponseMetadata.Role.ACTIVE, fromNewOwner.getMetadata().getRole());
            assertEquals(PER_USER, fromNewOwner.getWindowsList().stream().mapToLong(RiskWindow::getFindingCount).sum());

            for (int u = 0; u < USERS; u++) {
                GetUserRiskRequest request = GetUserRiskRequest.newBuilder().setUserId(user(u)).build();
                Eventually.holds(() -> {
                    GetUserRiskResponse answer = viaA.getUserRisk(request);
                    return answer.getMetadata().getRole() == ResponseMetadata.Role.ACTIVE
                            && answer.getMetadata().getServedBy().equals("localhost:" + portA)
                            && answer.getWindowsList().stream().mapToLong(RiskWindow::getFindingCount).sum() == PER_USER;
                }, Duration.ofSeconds(90));
            }
            assertEquals(expected, listedBeforeTheKill, "every escalation once, in key order, across both instances");
        } finally {
            channelA.shutdownNow();
            channelB.shutdownNow();
        }
    }
}
