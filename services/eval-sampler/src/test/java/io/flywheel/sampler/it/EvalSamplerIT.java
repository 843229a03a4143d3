package io.flywheel.sampler.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.GetFeedbackStatsRequest;
import io.flywheel.query.v1.GetSamplingPolicyRequest;
import io.flywheel.query.v1.GetSamplingPolicyResponse;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.testkit.DeadLetter;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.QueryReadiness;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.ServiceHealth;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sampler on a real broker and registry, with the screened-completion, feedback and alert
 * topics: every sample it writes (committed) is checked against an expectation computed here from
 * the documented draw and sample-id definitions (no production class): reasons, probabilities,
 * ids, both feedback arrival orders, feedback outside the window, a drift alert and its recovery,
 * the query API's numbers, the dead-letter path (garbage, hostile timestamps, huge records on both
 * inputs) and argument errors.
 */
@QuarkusTest
@TestProfile(EvalSamplerIT.Policy.class)
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvalSamplerIT {

    static final String SALT = "eval-sampler-it";
    static final double BASE = 0.1;
    static final double GPT_B_BASE = 0.3;
    static final long GPT_B_BUDGET = 600;
    static final double SAFETY = 0.5;
    static final double DRIFT = 0.4;
    static final long MIN = 60_000;
    static final int PARTITIONS = Topics.CONVERSATION_PARTITIONS;
    static final String APPLICATION_ID = "eval-sampler";
    /** 10000-01-01T00:00:00Z: one second past the range of google.protobuf.Timestamp. */
    static final long BEYOND_TIMESTAMP_RANGE = 253402300800L;
    static final long YEAR_2100 = java.time.Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();

    public static final class Policy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "flywheel.sampler.salt", SALT,
                    "flywheel.sampler.default.base-rate", Double.toString(BASE),
                    "flywheel.sampler.strata.gpt-b.base-rate", Double.toString(GPT_B_BASE),
                    "flywheel.sampler.strata.gpt-b.budget-per-period", Long.toString(GPT_B_BUDGET),
                    "flywheel.sampler.safety-rate", Double.toString(SAFETY),
                    "flywheel.sampler.drift-rate", Double.toString(DRIFT),
                    "flywheel.sampler.boost-window", "10m");
        }
    }

    private static ManagedChannel channel;
    private static SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub queries;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SamplerQueryServiceGrpc.newBlockingStub(channel);
        awaitQueryable();
    }

    /** Start-up answers UNAVAILABLE (with a retry hint) until Kafka Streams runs. */
    private static void awaitQueryable() {
        QueryReadiness.await(() -> queries.listStrata(ListStrataRequest.getDefaultInstance()), Duration.ofSeconds(90));
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    // The documented definitions (services/eval-sampler/README.md), written out again here.

    static double u(String conversationId) {
        MessageDigest sha = sha256();
        sha.update(SALT.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        long x = ByteBuffer.wrap(sha.digest(conversationId.getBytes(StandardCharsets.UTF_8))).getLong();
        return (x >>> 11) / 0x1p53;
    }

    static String sampleId(String conversationId, String completionId, EvalSample.Reason reason) {
        byte[] conversation = conversationId.getBytes(StandardCharsets.UTF_8);
        byte[] completion = completionId.getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = sha256();
        sha.update("flywheel.eval-sample.v1".getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(reason.name().getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(4).putInt(conversation.length).array());
        sha.update(conversation);
        sha.update(ByteBuffer.allocate(4).putInt(completion.length).array());
        sha.update(completion);
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the test expects of one sample. */
    record Expected(String conversationId, String completionId, String stratum, EvalSample.Reason reason, double probability) {
    }

    /** Expected samples by sample_id, and per stratum the expected statistics. */
    static final class Expectation {
        final Map<String, Expected> samples = new HashMap<>();
        final Map<String, Map<String, Long>> byReason = new TreeMap<>();
        final Map<String, Long> seen = new TreeMap<>();
        final Map<String, Long> arrivalSamples = new TreeMap<>();
        final Map<String, Long> baselineDraws = new TreeMap<>();
        final Map<String, Set<Integer>> partitions = new TreeMap<>();

        /** A completion arrives with the rates that apply to it (baseline, and safety / drift when they apply). */
        void arrival(ScreenedCompletion screened, double baseline, boolean driftFiring) {
            Completion c = screened.getCompletion();
            String stratum = c.getModel().getName();
            double u = u(c.getConversationId());
            seen.merge(stratum, 1L, Long::sum);
            partitions.computeIfAbsent(stratum, k -> new HashSet<>()).add(
                    Utils.toPositive(Utils.murmur2(c.getConversationId().getBytes(StandardCharsets.UTF_8))) % PARTITIONS);
            if (u < baseline) {
                baselineDraws.merge(stratum, 1L, Long::sum);
            }
            // Highest rate wins; ties in the order NEGATIVE_FEEDBACK, SAFETY, DRIFT, BASELINE.
            EvalSample.Reason reason = EvalSample.Reason.BASELINE;
            double rate = baseline;
            if (driftFiring && DRIFT >= rate) {
                reason = EvalSample.Reason.DRIFT;
                rate = DRIFT;
            }
            SafetyVerdict.Decision decision = screened.getVerdict().getDecision();
            if ((decision == SafetyVerdict.Decision.FLAG || decision == SafetyVerdict.Decision.REDACT) && SAFETY >= rate) {
                reason = EvalSample.Reason.SAFETY;
                rate = SAFETY;
            }
            if (u < rate) {
                add(new Expected(c.getConversationId(), c.getCompletionId(), stratum, reason, rate));
                arrivalSamples.merge(stratum, 1L, Long::sum);
            }
        }

        /** Negative feedback inside the window: the negative-feedback rate is 1.0, so it always pulls the completion in. */
        void boost(ScreenedCompletion screened) {
            Completion c = screened.getCompletion();
            add(new Expected(c.getConversationId(), c.getCompletionId(), c.getModel().getName(),
                    EvalSample.Reason.NEGATIVE_FEEDBACK, 1.0));
        }

        private void add(Expected expected) {
            samples.put(sampleId(expected.conversationId(), expected.completionId(), expected.reason()), expected);
            byReason.computeIfAbsent(expected.stratum(), k -> new TreeMap<>()).merge(expected.reason().name(), 1L, Long::sum);
        }
    }

    static ScreenedCompletion completion(String conversationId, String completionId, String model, long createdAtMs,
                                         SafetyVerdict.Decision decision) {
        ModelRef modelRef = ModelRef.newBuilder().setName(model).setVersion("v1").build();
        Completion completion = Completion.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setTurnIndex(0)
                .setUserId("user-" + conversationId)
                .setModel(modelRef)
                .setPromptVersion("p1")
                .setLocale("en-GB")
                .setPromptText("prompt " + completionId)
                .setResponseText("response " + completionId)
                .setCreatedAt(Timestamps.fromMillis(createdAtMs))
                .build();
        SafetyVerdict verdict = SafetyVerdict.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setUserId(completion.getUserId())
                .setModel(modelRef)
                .setDecision(decision)
                .setPolicySetRevision("it@0")
                .setEvaluatedAt(Timestamps.fromMillis(createdAtMs))
                .build();
        return ScreenedCompletion.newBuilder().setCompletion(completion).setVerdict(verdict).build();
    }

    static FeedbackEvent thumbDown(String feedbackId, ScreenedCompletion on, long occurredAtMs) {
        Completion c = on.getCompletion();
        return FeedbackEvent.newBuilder()
                .setFeedbackId(feedbackId)
                .setConversationId(c.getConversationId())
                .setCompletionId(c.getCompletionId())
                .setUserId(c.getUserId())
                .setModel(c.getModel())
                .setPromptVersion(c.getPromptVersion())
                .setCompletionCreatedAt(c.getCreatedAt())
                .setOccurredAt(Timestamps.fromMillis(occurredAtMs))
                .setThumb(FeedbackEvent.Thumb.THUMB_DOWN)
                .build();
    }

    static DriftAlert alert(String model, DriftAlert.State state, long emittedAtMs) {
        return DriftAlert.newBuilder()
                .setModel(ModelRef.newBuilder().setName(model).setVersion("v1"))
                .setPromptVersion("p1")
                .setState(state)
                .setEmittedAt(Timestamps.fromMillis(emittedAtMs))
                .build();
    }

    @Inject
    Instance<Topology> topologies;

    /** Every build hands out serializers whose schemas the start resolves: one topology per process, not one per injection. */
    @Test
    void theTopologyIsBuiltOncePerProcess() {
        assertSame(topologies.get(), topologies.get());
    }

    @Test
    void everySampleIsJustifiedAndTheQueriesAddUp() {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        Random random = new Random(42);
        // Every event time inside one 5-minute epoch, so the paced rate of gpt-b is its base rate, and
        // far enough in the past that none (feedback comes up to 15 minutes later) is ahead of the clock.
        long now = System.currentTimeMillis();
        long t0 = Math.floorDiv(now - 30 * MIN, 5 * MIN) * 5 * MIN;
        Expectation expected = new Expectation();
        int negativeSent = 0;

        try (KafkaProducer<String, ScreenedCompletion> completions = stack.producer(Topics.LLM_COMPLETIONS_SCREENED);
             KafkaProducer<String, FeedbackEvent> feedback = stack.producer(Topics.FEEDBACK_EVENTS);
             KafkaProducer<String, DriftAlert> alerts = stack.producer(Topics.FEEDBACK_ALERTS)) {

            // 1. Feedback before its completion: held until the completion arrives.
            List<ScreenedCompletion> late = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                ScreenedCompletion c = completion("conv-early-" + i, "c0", "gpt-a", t0 + i, SafetyVerdict.Decision.ALLOW);
                late.add(c);
                send(feedback, thumbDown("fb-early-" + i, c, t0 + i + 2 * MIN));
                negativeSent++;
            }
            feedback.flush();
            awaitFeedbackStats(stats -> stats.getHeld() == 15, "15 pieces of feedback held");

            // 2. Completions of three kinds of strata, some flagged or redacted, some conversations spanning two models.
            List<ScreenedCompletion> arrived = new ArrayList<>(late);
            for (ScreenedCompletion c : late) {
                expected.arrival(c, BASE, false);
                expected.boost(c);
            }
            for (int i = 0; i < 420; i++) {
                String model = i % 7 < 4 ? "gpt-a" : "gpt-b";
                int pick = random.nextInt(100);
                SafetyVerdict.Decision decision = pick < 6 ? SafetyVerdict.Decision.FLAG
                        : pick < 9 ? SafetyVerdict.Decision.REDACT : SafetyVerdict.Decision.ALLOW;
                String conversation = "conv-" + (i % 340); // conversations 0-79 span gpt-a and gpt-b
                ScreenedCompletion c = completion(conversation, "c-" + i, model, t0 + 100 + i, decision);
                arrived.add(c);
                expected.arrival(c, model.equals("gpt-b") ? GPT_B_BASE : BASE, false);
            }
            for (ScreenedCompletion c : late) {
                send(completions, c);
            }
            for (ScreenedCompletion c : arrived.subList(late.size(), arrived.size())) {
                send(completions, c);
            }
            completions.flush();

            // 3. Feedback after its completion: inside the window (boost) and outside it (counted only).
            for (int i = 0; i < 40; i++) {
                ScreenedCompletion c = arrived.get(late.size() + i * 9);
                long createdAt = Timestamps.toMillis(c.getCompletion().getCreatedAt());
                send(feedback, thumbDown("fb-in-" + i, c, createdAt + 3 * MIN));
                expected.boost(c);
                negativeSent++;
            }
            for (int i = 0; i < 10; i++) {
                ScreenedCompletion c = arrived.get(late.size() + 5 + i * 11);
                long createdAt = Timestamps.toMillis(c.getCompletion().getCreatedAt());
                send(feedback, thumbDown("fb-out-" + i, c, createdAt + 15 * MIN));
                negativeSent++;
            }
            feedback.flush();

            // 4. A drift alert on gpt-c raises its rate; the recovery restores it.
            send(alerts, alert("gpt-c", DriftAlert.State.FIRING, t0));
            alerts.flush();
            awaitPolicy(policy -> policy.getDriftingModelKeysList().contains("gpt-c/v1/p1"), "gpt-c under alert");
            for (int i = 0; i < 150; i++) {
                ScreenedCompletion c = completion("conv-drift-" + i, "c0", "gpt-c", t0 + 1000 + i, SafetyVerdict.Decision.ALLOW);
                send(completions, c);
                expected.arrival(c, BASE, true);
            }
            completions.flush();
            awaitStratum("gpt-c", stats -> stats.getSeen() == 150);
            send(alerts, alert("gpt-c", DriftAlert.State.RECOVERED, t0 + MIN));
            alerts.flush();
            awaitPolicy(policy -> policy.getDriftingModelKeysList().isEmpty(), "gpt-c recovered");
            for (int i = 0; i < 150; i++) {
                ScreenedCompletion c = completion("conv-recovered-" + i, "c0", "gpt-c", t0 + 2000 + i, SafetyVerdict.Decision.ALLOW);
                send(completions, c);
                expected.arrival(c, BASE, false);
            }
            completions.flush();
        }

        // Every committed sample, against the expectation.
        List<ConsumerRecord<String, EvalSample>> records =
                stack.readCommitted(Topics.EVAL_SAMPLES, expected.samples.size(), Duration.ofSeconds(90));
        Map<String, EvalSample> actual = new HashMap<>();
        for (ConsumerRecord<String, EvalSample> record : records) {
            EvalSample sample = record.value();
            assertEquals(null, actual.put(sample.getSampleId(), sample), "sample ids are unique: " + sample.getSampleId());
            assertEquals(sample.getCompletion().getCompletion().getConversationId(), record.key(), "keyed by conversation_id");
        }
        assertEquals(new TreeMap<>(expectedView(expected.samples)), new TreeMap<>(actualView(actual)));
        for (EvalSample sample : actual.values()) {
            assertEquals(sample.getCompletion().getVerdict(), sample.getVerdict());
            assertEquals(sample.getReason() == EvalSample.Reason.NEGATIVE_FEEDBACK, sample.hasTriggeringFeedback());
            if (sample.hasTriggeringFeedback()) {
                assertEquals(sample.getCompletion().getCompletion().getCompletionId(), sample.getTriggeringFeedback().getCompletionId());
                assertFalse(sample.getTriggeringFeedback().getFeedbackId().startsWith("fb-out-"), "outside the window never boosts");
            }
        }

        // Per-stratum statistics, summed over every task.
        for (String stratum : List.of("gpt-a", "gpt-b", "gpt-c")) {
            StratumStats stats = queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(stratum).build()).getStats();
            assertEquals(stratum, stats.getStratum());
            assertEquals((long) expected.seen.get(stratum), stats.getSeen(), stratum);
            Map<String, Long> byReason = new TreeMap<>(stats.getSampledByReasonMap());
            byReason.values().removeIf(count -> count == 0);
            assertEquals(expected.byReason.get(stratum), byReason, stratum);
            assertEquals(expected.byReason.get(stratum).values().stream().mapToLong(Long::longValue).sum(), stats.getSampled());
            assertEquals(expected.arrivalSamples.get(stratum) / (double) expected.seen.get(stratum), stats.getRealisedRate(), 1e-12);
            assertEquals(expected.partitions.get(stratum).size(), stats.getTasks(), stratum);
            assertEquals(0, stats.getDropped(), "no budget binds here");
        }
        StratumStats budgeted = queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum("gpt-b").build()).getStats();
        assertTrue(budgeted.hasBudgetLeft());
        assertEquals(Math.round(GPT_B_BUDGET * (double) budgeted.getTasks() / PARTITIONS) - expected.baselineDraws.get("gpt-b"),
                budgeted.getBudgetLeft());
        assertEquals(GPT_B_BASE, budgeted.getCurrentRate(), 1e-12);
        assertFalse(queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum("gpt-a").build()).getStats().hasBudgetLeft());

        // Keyset paging walks every stratum once, in order.
        List<String> paged = new ArrayList<>();
        String token = "";
        do {
            ListStrataResponse page = queries.listStrata(ListStrataRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(1).setPageToken(token)).build());
            assertTrue(page.getServersList().stream().allMatch(s -> s.getOk()), page.getServersList().toString());
            page.getStrataList().forEach(s -> paged.add(s.getStratum()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(List.of("gpt-a", "gpt-b", "gpt-c"), paged);

        FeedbackStats feedback = queries.getFeedbackStats(GetFeedbackStatsRequest.getDefaultInstance()).getStats();
        assertEquals(negativeSent, feedback.getNegative());
        assertEquals(55, feedback.getBoosted());
        assertEquals(15, feedback.getHeld());
        assertEquals(10, feedback.getOutsideWindow());
        assertEquals(0, feedback.getHeldFeedback());
        assertEquals(expected.seen.values().stream().mapToLong(Long::longValue).sum(), feedback.getRememberedCompletions());

        GetSamplingPolicyResponse policy = queries.getSamplingPolicy(GetSamplingPolicyRequest.getDefaultInstance());
        assertEquals(HexFormat.of().formatHex(sha256().digest(SALT.getBytes(StandardCharsets.UTF_8)), 0, 8), policy.getSaltFingerprint());
        assertEquals(BASE, policy.getDefaultStratum().getBaseRate());
        assertFalse(policy.getDefaultStratum().hasBudgetPerPeriod());
        assertEquals(1, policy.getStrataCount());
        assertEquals("gpt-b", policy.getStrata(0).getStratum());
        assertEquals(GPT_B_BUDGET, policy.getStrata(0).getBudgetPerPeriod());
        assertEquals("PT10M", policy.getBoostWindow());
        assertEquals(DRIFT, policy.getDriftRate());
        assertEquals(PARTITIONS, policy.getPartitions());
        assertEquals(0, policy.getAlertsSkipped());
        assertEquals(0, policy.getAlertsPending());
    }

    private static Map<String, String> expectedView(Map<String, Expected> samples) {
        Map<String, String> view = new HashMap<>();
        samples.forEach((id, e) -> view.put(id, e.conversationId() + "/" + e.completionId() + " " + e.stratum() + " "
                + e.reason() + " p=" + e.probability()));
        return view;
    }

    private static Map<String, String> actualView(Map<String, EvalSample> samples) {
        Map<String, String> view = new HashMap<>();
        samples.forEach((id, s) -> view.put(id, s.getCompletion().getCompletion().getConversationId() + "/"
                + s.getCompletion().getCompletion().getCompletionId() + " " + s.getStratum() + " " + s.getReason()
                + " p=" + s.getInclusionProbability()));
        return view;
    }

    @Test
    void garbageOnEitherInputIsDeadLetteredOnce() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        byte[] badCompletion = "not a completion".getBytes(StandardCharsets.UTF_8);
        byte[] badFeedback = {0, 0, 0, 0, 0, 1, 2, 3};
        try (KafkaProducer<byte[], byte[]> raw = stack.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS_SCREENED.name(), "bad-1".getBytes(StandardCharsets.UTF_8), badCompletion)).get();
            raw.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), "bad-2".getBytes(StandardCharsets.UTF_8), badFeedback)).get();
        }
        List<DeadLetter> dead = stack.readDeadLetters(APPLICATION_ID, letter -> Set.of("bad-1", "bad-2").contains(letter.keyText()),
                2, Duration.ofSeconds(30));
        assertEquals(2, dead.size(), "each garbage record is dead-lettered exactly once");
        Map<String, byte[]> bySource = new HashMap<>();
        for (DeadLetter letter : dead) {
            bySource.put(letter.header(DeadLetter.SOURCE_TOPIC), letter.value());
            assertTrue(letter.reason() != null);
        }
        assertArrayEquals(badCompletion, bySource.get(Topics.LLM_COMPLETIONS_SCREENED.name()));
        assertArrayEquals(badFeedback, bySource.get(Topics.FEEDBACK_EVENTS.name()));
    }

    /**
     * Screened completions dated outside Timestamp's range, before 1970 and in 2100 and one with a
     * 2 MiB prompt full of e-mail addresses; negative feedback dated the same ways, and one with a
     * 1 MiB feedback id, each on a completion no valid feedback boosts. Sent between valid records
     * of one stratum: the service stays ready, each bad record is dead-lettered once with its bytes
     * and a reason naming what broke, and the stratum's samples are those of the valid records alone.
     */
    @Test
    @Order(Order.DEFAULT + 1) // the exact totals above (strata, feedback counts) must not see this test's records
    void hostileTimestampsAndHugeRecordsOnEitherInputAreDeadLetteredOnceAndChangeNoSample() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        String stratum = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
        long t0 = System.currentTimeMillis() - 20 * MIN;
        Expectation expected = new Expectation();
        List<ScreenedCompletion> valid = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ScreenedCompletion c = completion(stratum + "-conv-" + i, "c0", stratum, t0 + i,
                    i % 6 == 0 ? SafetyVerdict.Decision.FLAG : SafetyVerdict.Decision.ALLOW);
            valid.add(c);
            expected.arrival(c, BASE, false);
        }
        List<FeedbackEvent> validFeedback = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            validFeedback.add(thumbDown(stratum + "-fb-" + i, valid.get(i), t0 + i + 3 * MIN));
            expected.boost(valid.get(i));
        }

        Map<String, ScreenedCompletion> hostileCompletions = new LinkedHashMap<>();
        hostileCompletions.put("completion.created_at (seconds=" + BEYOND_TIMESTAMP_RANGE,
                createdAt(completion(stratum + "-bad-1", "c0", stratum, t0, SafetyVerdict.Decision.ALLOW),
                        Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE).build()));
        hostileCompletions.put("completion.created_at 1969-12-31T00:00:00Z is before 1970",
                createdAt(completion(stratum + "-bad-2", "c0", stratum, t0, SafetyVerdict.Decision.ALLOW),
                        Timestamp.newBuilder().setSeconds(-86_400).build()));
        hostileCompletions.put("completion.created_at 2100-01-01T00:00:00Z is more than",
                completion(stratum + "-bad-3", "c0", stratum, YEAR_2100 * 1000, SafetyVerdict.Decision.ALLOW));
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; prompt.length() < 2 * 1024 * 1024; i++) {
            prompt.append("user").append(i).append("@example.com ");
        }
        ScreenedCompletion huge = completion(stratum + "-bad-4", "c0", stratum, t0, SafetyVerdict.Decision.REDACT);
        hostileCompletions.put("completion is ", huge.toBuilder()
                .setCompletion(huge.getCompletion().toBuilder().setPromptText(prompt.toString())).build());

        // Each is negative feedback inside the boost window of a completion nothing else boosts.
        Map<String, FeedbackEvent> hostileFeedback = new LinkedHashMap<>();
        hostileFeedback.put("occurred_at (seconds=" + BEYOND_TIMESTAMP_RANGE, thumbDown(stratum + "-fb-range", valid.get(10), t0)
                .toBuilder().setOccurredAt(Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE)).build());
        hostileFeedback.put("occurred_at 1969-12-31T00:00:00Z is before 1970", thumbDown(stratum + "-fb-pre1970", valid.get(11), t0)
                .toBuilder().setOccurredAt(Timestamp.newBuilder().setSeconds(-86_400)).build());
        hostileFeedback.put("occurred_at 2100-01-01T00:00:00Z is more than",
                thumbDown(stratum + "-fb-2100", valid.get(12), YEAR_2100 * 1000));
        hostileFeedback.put("completion_created_at 2100-01-01T00:00:00Z is more than",
                thumbDown(stratum + "-fb-cc-2100", valid.get(13), t0 + MIN).toBuilder()
                        .setCompletionCreatedAt(Timestamps.fromMillis(YEAR_2100 * 1000)).build());
        hostileFeedback.put("feedback event is ", thumbDown("f".repeat(1024 * 1024), valid.get(14), t0 + MIN));

        stack.sendAmongValid(APPLICATION_ID, Topics.LLM_COMPLETIONS_SCREENED, valid, hostileCompletions,
                c -> c.getCompletion().getConversationId());
        stack.sendAmongValid(APPLICATION_ID, Topics.FEEDBACK_EVENTS, validFeedback, hostileFeedback, FeedbackEvent::getConversationId);

        long samples = expected.byReason.get(stratum).values().stream().mapToLong(Long::longValue).sum();
        awaitStratum(stratum, stats -> stats.getSeen() == valid.size() && stats.getSampled() >= samples);
        StratumStats stats = queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(stratum).build()).getStats();
        Map<String, Long> byReason = new TreeMap<>(stats.getSampledByReasonMap());
        byReason.values().removeIf(count -> count == 0);
        assertEquals(expected.byReason.get(stratum), byReason, "the stratum's samples are those of the valid records alone");
        Map<String, EvalSample> actual = new HashMap<>();
        for (ConsumerRecord<String, EvalSample> record : stack.readCommitted(Topics.EVAL_SAMPLES, Integer.MAX_VALUE, Duration.ofSeconds(5))) {
            if (record.value().getStratum().equals(stratum)) {
                actual.put(record.value().getSampleId(), record.value());
            }
        }
        assertEquals(new TreeMap<>(expectedView(expected.samples)), new TreeMap<>(actualView(actual)));

        ServiceHealth.assertReadyAndRunning(FlywheelServiceResource.port(), Duration.ofSeconds(10));
    }

    /**
     * Drift alerts with an emitted_at outside Timestamp's range and in 2100, without a model, with
     * an unknown state, and garbage bytes, sent on one model key between its FIRING and RECOVERED
     * alerts: the alert intake check dead-letters each once with its bytes and a reason naming the
     * field, the global store skips them (the 2100 FIRING alert does not pin the key), the valid
     * alerts apply and the service stays ready.
     */
    @Test
    @Order(Order.DEFAULT + 2) // the first test asserts that no alert was skipped
    void badAlertsAreDeadLetteredOnceAndTheValidOnesApply() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        String model = "gpt-intake-" + UUID.randomUUID().toString().substring(0, 8);
        String key = model + "/v1/p1";
        long now = System.currentTimeMillis();
        long skippedBefore = queries.getSamplingPolicy(GetSamplingPolicyRequest.getDefaultInstance()).getAlertsSkipped();
        List<DriftAlert> valid = List.of(alert(model, DriftAlert.State.FIRING, now - 2 * MIN), alert(model, DriftAlert.State.RECOVERED, now - MIN));
        Map<String, DriftAlert> hostile = new LinkedHashMap<>();
        hostile.put("emitted_at (seconds=" + BEYOND_TIMESTAMP_RANGE, alert(model, DriftAlert.State.FIRING, now).toBuilder()
                .setEmittedAt(Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE)).build());
        hostile.put("emitted_at 2100-01-01T00:00:00Z is more than", alert(model, DriftAlert.State.FIRING, YEAR_2100 * 1000));
        hostile.put("model.name is empty", alert(model, DriftAlert.State.FIRING, now).toBuilder().clearModel().build());
        hostile.put("state must be FIRING or RECOVERED", alert(model, DriftAlert.State.FIRING, now).toBuilder().setStateValue(9).build());

        // FIRING first: once it applies, the key drifts until the RECOVERED alert after the bad ones.
        stack.sendAll(Topics.FEEDBACK_ALERTS, valid.subList(0, 1), a -> key);
        awaitPolicy(policy -> policy.getDriftingModelKeysList().contains(key), key + " under alert");
        stack.sendAmongValid(APPLICATION_ID, Topics.FEEDBACK_ALERTS, valid.subList(1, 2), hostile, a -> key);
        byte[] garbage = ("not an alert " + model).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> raw = stack.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.FEEDBACK_ALERTS.name(), key.getBytes(StandardCharsets.UTF_8), garbage)).get();
        }
        // The parser's own message is the reason of undecodable bytes.
        stack.assertDeadLetteredOnce(APPLICATION_ID, Topics.FEEDBACK_ALERTS.name(), List.of(new DeadLetter.Expected(garbage, "")),
                Duration.ofSeconds(30));

        awaitPolicy(policy -> policy.getAlertsSkipped() == skippedBefore + hostile.size() + 1, "the bad alerts skipped");
        awaitPolicy(policy -> !policy.getDriftingModelKeysList().contains(key), key + " recovered, not pinned by the 2100 alert");
        ServiceHealth.assertReadyAndRunning(FlywheelServiceResource.port(), Duration.ofSeconds(10));
    }

    private static ScreenedCompletion createdAt(ScreenedCompletion screened, Timestamp createdAt) {
        return screened.toBuilder().setCompletion(screened.getCompletion().toBuilder().setCreatedAt(createdAt)).build();
    }

    @Test
    void badRequestsGetClearErrors() {
        for (String bad : new String[] {"", "   ", "a/b/c", "x".repeat(600), "%zz"}) {
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                    () -> queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(bad).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), bad);
            assertTrue(error.getStatus().getDescription().contains("stratum"), error.getStatus().getDescription());
        }
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum("no-such-model").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertTrue(unknown.getStatus().getDescription().contains("no-such-model"), unknown.getStatus().getDescription());

        for (int size : new int[] {0, 1_000_000}) {
            StatusRuntimeException badPage = assertThrows(StatusRuntimeException.class, () -> queries.listStrata(
                    ListStrataRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(size)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, badPage.getStatus().getCode());
            assertTrue(badPage.getStatus().getDescription().contains("page_size"), badPage.getStatus().getDescription());
        }
        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class, () -> queries.listStrata(ListStrataRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(10).setPageToken("%%%not-base64")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
    }

    private static <V extends com.google.protobuf.Message> void send(KafkaProducer<String, V> producer, V value) {
        String key;
        long timestamp;
        if (value instanceof ScreenedCompletion c) {
            key = c.getCompletion().getConversationId();
            timestamp = Timestamps.toMillis(c.getCompletion().getCreatedAt());
        } else if (value instanceof FeedbackEvent f) {
            key = f.getConversationId();
            timestamp = Timestamps.toMillis(f.getOccurredAt());
        } else {
            DriftAlert a = (DriftAlert) value;
            key = a.getModel().getName() + "/" + a.getModel().getVersion() + "/" + a.getPromptVersion();
            timestamp = Timestamps.toMillis(a.getEmittedAt());
        }
        String topic = value instanceof ScreenedCompletion ? Topics.LLM_COMPLETIONS_SCREENED.name()
                : value instanceof FeedbackEvent ? Topics.FEEDBACK_EVENTS.name() : Topics.FEEDBACK_ALERTS.name();
        producer.send(new ProducerRecord<>(topic, null, timestamp, key, value));
    }

    private static void awaitFeedbackStats(Predicate<FeedbackStats> condition, String what) {
        await(() -> condition.test(queries.getFeedbackStats(GetFeedbackStatsRequest.getDefaultInstance()).getStats()), what);
    }

    private static void awaitPolicy(Predicate<GetSamplingPolicyResponse> condition, String what) {
        await(() -> condition.test(queries.getSamplingPolicy(GetSamplingPolicyRequest.getDefaultInstance())), what);
    }

    private static void awaitStratum(String stratum, Predicate<StratumStats> condition) {
        await(() -> {
            try {
                return condition.test(queries.getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(stratum).build()).getStats());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return false;
                }
                throw e;
            }
        }, stratum);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            sleep(200);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
