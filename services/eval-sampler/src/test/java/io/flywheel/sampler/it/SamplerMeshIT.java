package io.flywheel.sampler.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.GetStratumStatsResponse;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.testkit.Eventually;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.QueryReadiness;
import io.flywheel.testkit.SecondInstance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two eval-sampler instances on one broker: this test JVM's (A) and a second process (B) from the
 * packaged jar. Every query fans out (each instance answers for its active tasks): both instances
 * give the same exact totals, naming both servers and the partitions each answered for; strata
 * page across both; after a hard kill of B an answer is either UNAVAILABLE with a retry hint or
 * visibly partial, never a short total dressed as complete (the partitions B's tasks restore on A
 * are not counted until restored), and after the rebalance A alone gives the exact totals again.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SamplerMeshIT {

    private static final String RUN = UUID.randomUUID().toString().replaceAll("[^a-f]", "").substring(0, 6);
    private static final int STRATA = 5;
    private static final int PER_STRATUM = 40;
    private static final List<Integer> PARTITIONS = IntStream.range(0, Topics.LLM_COMPLETIONS_SCREENED.partitions()).boxed().toList();
    private static SecondInstance instanceB;

    @AfterAll
    static void stopB() throws InterruptedException {
        if (instanceB != null) {
            instanceB.close();
        }
    }

    private static String stratum(int i) {
        return "mesh-" + RUN + "-" + i;
    }

    /** Completions of the stratum seen so far: NOT_FOUND until the first one has been processed. */
    private static long seenSoFar(SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub stub, GetStratumStatsRequest request) {
        try {
            return stub.getStratumStats(request).getStats().getSeen();
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
                return 0;
            }
            throw e;
        }
    }

    private static boolean allOk(List<ServerOutcome> servers) {
        return servers.stream().allMatch(ServerOutcome::getOk);
    }

    /** Every partition the servers answered for, in order; each must appear once. */
    private static List<Integer> coveredPartitions(List<ServerOutcome> servers) {
        return servers.stream().flatMap(server -> server.getPartitionsList().stream()).sorted().toList();
    }

    @Test
    void bothInstancesGiveExactTotalsAndStrataPageAcrossThem() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        int portA = FlywheelServiceResource.port();
        instanceB = SecondInstance.start(stack, Map.of());
        ManagedChannel channelA = ManagedChannelBuilder.forAddress("localhost", portA).usePlaintext().build();
        ManagedChannel channelB = ManagedChannelBuilder.forAddress("localhost", instanceB.port()).usePlaintext().build();
        try {
            var viaA = SamplerQueryServiceGrpc.newBlockingStub(channelA);
            var viaB = SamplerQueryServiceGrpc.newBlockingStub(channelB);
            instanceB.awaitReady(Duration.ofMinutes(5));
            QueryReadiness.await(() -> viaB.listStrata(ListStrataRequest.getDefaultInstance()), Duration.ofSeconds(60));
            Eventually.holds(() -> viaA.listStrata(ListStrataRequest.getDefaultInstance()).getServersCount() == 2, Duration.ofSeconds(90));

            Instant created = Instant.now().minusSeconds(30);
            try (KafkaProducer<String, ScreenedCompletion> producer = stack.producer(Topics.LLM_COMPLETIONS_SCREENED)) {
                for (int s = 0; s < STRATA; s++) {
                    for (int n = 0; n < PER_STRATUM; n++) {
                        String conversation = "mesh-conv-" + RUN + "-" + s + "-" + n;
                        Completion completion = Completion.newBuilder().setCompletionId(conversation + "-c").setConversationId(conversation)
                                .setUserId("u").setModel(ModelRef.newBuilder().setName(stratum(s)).setVersion("v1")).setPromptVersion("p")
                                .setResponseText("fine").setCreatedAt(Timestamps.fromMillis(created.toEpochMilli())).build();
                        producer.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS_SCREENED.name(), conversation, ScreenedCompletion.newBuilder()
                                .setCompletion(completion).setVerdict(SafetyVerdict.newBuilder().setCompletionId(completion.getCompletionId())
                                        .setConversationId(conversation).setDecision(SafetyVerdict.Decision.ALLOW)).build()));
                    }
                }
                producer.flush();
            }

            // Each stratum's conversations fall in many partitions, so both instances contribute to its total.
            for (int s = 0; s < STRATA; s++) {
                GetStratumStatsRequest request = GetStratumStatsRequest.newBuilder().setStratum(stratum(s)).build();
                Eventually.holds(() -> seenSoFar(viaA, request) == PER_STRATUM, Duration.ofSeconds(60));
                GetStratumStatsResponse fromA = viaA.getStratumStats(request);
                GetStratumStatsResponse fromB = viaB.getStratumStats(request);
                assertEquals(PER_STRATUM, fromB.getStats().getSeen());
                assertEquals(fromA.getStats(), fromB.getStats(), "the same merged answer from either instance");
                assertEquals(2, fromA.getServersCount());
                assertTrue(allOk(fromA.getServersList()), fromA.getServersList().toString());
            }

            // One stratum a page, following the tokens across both instances: every stratum once, in order.
            List<String> paged = new ArrayList<>();
            String token = "";
            do {
                ListStrataResponse page = viaA.listStrata(ListStrataRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setPageSize(1).setPageToken(token)).build());
                assertEquals(2, page.getServersCount());
                assertTrue(allOk(page.getServersList()), page.getServersList().toString());
                page.getStrataList().forEach(st -> {
                    if (st.getStratum().startsWith("mesh-" + RUN)) {
                        assertEquals(PER_STRATUM, st.getSeen(), st.getStratum());
                        paged.add(st.getStratum());
                    }
                });
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            List<String> expected = new ArrayList<>();
            for (int s = 0; s < STRATA; s++) {
                expected.add(stratum(s));
            }
            assertEquals(expected, paged);

            // Hard-kill B. Until A has taken over and restored B's partitions, an answer is UNAVAILABLE
            // with a retry hint or visibly partial (B failed, its partitions missing from the outcomes),
            // never a short total dressed as complete; then A alone covers every partition exactly.
            instanceB.kill();
            long killed = System.nanoTime();
            GetStratumStatsRequest first = GetStratumStatsRequest.newBuilder().setStratum(stratum(0)).build();
            long until = killed + Duration.ofSeconds(90).toNanos();
            int partial = 0;
            int unavailable = 0;
            boolean exactFromA = false;
            while (!exactFromA && System.nanoTime() < until) {
                try {
                    GetStratumStatsResponse answer = viaA.getStratumStats(first);
                    if (allOk(answer.getServersList())) {
                        assertEquals(PER_STRATUM, answer.getStats().getSeen(), "a complete-looking answer must be exact: " + answer);
                        assertEquals(PARTITIONS, coveredPartitions(answer.getServersList()), answer.getServersList().toString());
                        exactFromA = answer.getServersCount() == 1;
                    } else {
                        partial++;
                    }
                } catch (StatusRuntimeException e) {
                    QueryReadiness.requireRetryHint(e);
                    unavailable++;
                }
                Thread.sleep(100);
            }
            System.out.printf("[takeover] eval-sampler: A alone exact %d ms after the SIGKILL (%d partial, %d UNAVAILABLE answers before)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), partial, unavailable);
            assertTrue(exactFromA, "A did not answer alone with the exact total after the rebalance");
            for (int s = 0; s < STRATA; s++) {
                GetStratumStatsResponse answer = viaA.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(stratum(s)).build());
                assertEquals(PER_STRATUM, answer.getStats().getSeen(), stratum(s));
                assertEquals(List.of("localhost:" + portA), answer.getServersList().stream().map(ServerOutcome::getServer).toList());
            }
        } finally {
            channelA.shutdownNow();
            channelB.shutdownNow();
        }
    }
}
