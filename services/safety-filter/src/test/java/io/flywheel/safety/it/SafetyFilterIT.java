package io.flywheel.safety.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.GetConversationVerdictsRequest;
import io.flywheel.query.v1.GetConversationVerdictsResponse;
import io.flywheel.query.v1.GetPolicySetRequest;
import io.flywheel.query.v1.GetPolicySetResponse;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.GetUserRiskResponse;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SkippedPolicy;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.QueryReadiness;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.DeadLetter;
import io.flywheel.testkit.ServiceHealth;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The safety-filter on a real broker and registry: policies change live through
 * {@code safety.policies} (add, disable a default, tombstone, an invalid regex), verdicts name the
 * revision, BLOCKed completions reach the quarantine only, user risk and escalations, the
 * dead-letter path (garbage, hostile timestamps, a 2 MiB prompt) and argument errors of the query API.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
class SafetyFilterIT {

    /** Escalation threshold of the %test profile (application.properties). */
    private static final int THRESHOLD = 3;
    private static final Duration LIVE = Duration.ofSeconds(10);
    private static final String HASH = DefaultPolicyPack.load().hash();
    private static final FlywheelTestStack STACK = FlywheelTestStack.shared();
    /** 10000-01-01T00:00:00Z: one second past the range of google.protobuf.Timestamp. */
    private static final long BEYOND_TIMESTAMP_RANGE = 253402300800L;
    private static final long YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();

    private static ManagedChannel channel;
    private static SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub queries;
    private static KafkaProducer<String, Completion> completions;
    private static KafkaProducer<String, SafetyPolicy> policies;
    private static Watcher<SafetyVerdict> verdicts;
    private static Watcher<ScreenedCompletion> screened;
    private static Watcher<QuarantinedCompletion> quarantine;
    private static Watcher<UserEscalation> escalations;

    private final String run = letters(8);

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = SafetyQueryServiceGrpc.newBlockingStub(channel);
        completions = STACK.producer(Topics.LLM_COMPLETIONS);
        policies = STACK.producer(Topics.SAFETY_POLICIES);
        verdicts = new Watcher<>(Topics.SAFETY_VERDICTS);
        screened = new Watcher<>(Topics.LLM_COMPLETIONS_SCREENED);
        quarantine = new Watcher<>(Topics.SAFETY_QUARANTINE);
        escalations = new Watcher<>(Topics.SAFETY_ESCALATIONS);
        awaitQueryable();
    }

    @AfterAll
    static void disconnect() {
        for (AutoCloseable closeable : new AutoCloseable[] {completions, policies, verdicts, screened, quarantine, escalations}) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        channel.shutdownNow();
    }

    /** Start-up answers UNAVAILABLE (with a retry hint) until Kafka Streams runs. */
    private static void awaitQueryable() {
        QueryReadiness.await(() -> queries.getPolicySet(GetPolicySetRequest.getDefaultInstance()), Duration.ofSeconds(90));
    }

    @Inject
    Instance<Topology> topologies;

    /** Every build hands out serializers whose schemas the start resolves: one topology per process, not one per injection. */
    @Test
    void theTopologyIsBuiltOncePerProcess() {
        assertSame(topologies.get(), topologies.get());
    }

    @Test
    void aPolicyAddedThroughTheTopicTakesEffectWithinSecondsAndBlocksToQuarantineOnly() throws Exception {
        String word = "zebracorn" + run;
        String text = "the secret animal is a " + word + ".";
        Completion before = completion("before-" + run, "conv-" + run, "user-" + run, "", text);
        assertEquals(Decision.ALLOW, screen(before).getDecision());

        String policyId = "it.block-" + run;
        RecordMetadata written = policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), policyId,
                SafetyPolicy.newBuilder().setId(policyId).setRevision(1).setEnabled(true).setCategory("animal")
                        .setTarget(SafetyTarget.BOTH).setAction(SafetyAction.BLOCK).setSeverity(7)
                        .setKeywords(SafetyPolicy.KeywordList.newBuilder().addKeywords(word)).build())).get();
        long appliedAt = System.nanoTime();

        SafetyVerdict blocked = screenUntil(i -> completion("after-" + run + "-" + i, "conv-" + run, "user-" + run, "", text),
                verdict -> verdict.getDecision() == Decision.BLOCK);
        Duration took = Duration.ofNanos(System.nanoTime() - appliedAt);
        assertTrue(took.compareTo(LIVE) < 0, "took effect after " + took);
        System.out.println("policy " + policyId + " took effect after " + took.toMillis() + " ms");
        assertEquals(HASH + "@" + written.offset(), blocked.getPolicySetRevision());
        assertEquals(policyId, blocked.getFindings(0).getPolicyId());

        QuarantinedCompletion held = quarantine.await(q -> q.getCompletion().getCompletionId().equals(blocked.getCompletionId()), LIVE)
                .orElseThrow(() -> new AssertionError("no quarantine record for " + blocked.getCompletionId()));
        assertEquals(text, held.getCompletion().getResponseText());
        assertEquals(blocked, held.getVerdict());
        // The verdict and any output of the same completion commit in one transaction: once the
        // verdict is visible, a screened copy would be too.
        screened.await(s -> false, Duration.ofSeconds(1));
        assertFalse(screened.seen(s -> s.getCompletion().getCompletionId().equals(blocked.getCompletionId())),
                "a BLOCKed completion reached llm.completions.screened");
        assertTrue(screened.seen(s -> s.getCompletion().getCompletionId().equals(before.getCompletionId())));

        GetPolicySetResponse set = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance());
        assertTrue(set.getActiveList().stream().anyMatch(p -> p.getId().equals(policyId)), set.getActiveList().toString());
        assertFalse(set.getMetadata().getServedBy().isEmpty());
    }

    @Test
    void enabledFalseDisablesADefaultPolicyAndATombstoneBringsItBack() throws Exception {
        String text = "write to ann." + run + "@example.com";
        String conversation = "conv-email-" + run;
        SafetyVerdict redacted = screen(completion("e0-" + run, conversation, "user-e-" + run, "", text));
        assertEquals(Decision.REDACT, redacted.getDecision());
        ScreenedCompletion passed = screened.await(s -> s.getCompletion().getCompletionId().equals("e0-" + run), LIVE).orElseThrow();
        assertEquals("write to [REDACTED:EMAIL]", passed.getCompletion().getResponseText());

        RecordMetadata off = policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), "default.email",
                SafetyPolicy.newBuilder().setId("default.email").setEnabled(false).build())).get();
        SafetyVerdict allowed = screenUntil(i -> completion("e1-" + run + "-" + i, conversation, "user-e-" + run, "", text),
                verdict -> verdict.getDecision() == Decision.ALLOW);
        assertEquals(HASH + "@" + off.offset(), allowed.getPolicySetRevision());
        GetPolicySetResponse disabled = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance());
        assertTrue(disabled.getDisabledList().stream().anyMatch(p -> p.getId().equals("default.email")));
        assertTrue(disabled.getActiveList().stream().noneMatch(p -> p.getId().equals("default.email")));

        RecordMetadata tombstone = policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), "default.email", null)).get();
        SafetyVerdict back = screenUntil(i -> completion("e2-" + run + "-" + i, conversation, "user-e-" + run, "", text),
                verdict -> verdict.getDecision() == Decision.REDACT);
        assertEquals(HASH + "@" + tombstone.offset(), back.getPolicySetRevision());
        assertEquals("default.email", back.getFindings(0).getPolicyId());
        assertTrue(queries.getPolicySet(GetPolicySetRequest.getDefaultInstance()).getActiveList().stream()
                .anyMatch(p -> p.getId().equals("default.email")));
    }

    @Test
    void aPolicyWithAnInvalidRegexIsReportedAndScreeningGoesOn() throws Exception {
        String policyId = "it.bad-regex-" + run;
        RecordMetadata written = policies.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), policyId,
                SafetyPolicy.newBuilder().setId(policyId).setEnabled(true).setCategory("broken")
                        .setTarget(SafetyTarget.BOTH).setAction(SafetyAction.BLOCK).setRegex("(unclosed").build())).get();
        long deadline = System.nanoTime() + LIVE.toNanos();
        Optional<SkippedPolicy> skipped = Optional.empty();
        while (skipped.isEmpty() && System.nanoTime() < deadline) {
            skipped = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance()).getSkippedList().stream()
                    .filter(s -> s.getPolicyId().equals(policyId)).findFirst();
            if (skipped.isEmpty()) {
                sleep(200);
            }
        }
        assertTrue(skipped.isPresent(), "the invalid policy is reported by GetPolicySet");
        assertTrue(skipped.get().getReason().contains("regex does not compile"), skipped.get().getReason());
        assertEquals(written.offset(), skipped.get().getOffset());

        SafetyVerdict verdict = screen(completion("r0-" + run, "conv-r-" + run, "user-r-" + run, "(unclosed", "fine"));
        assertEquals(Decision.ALLOW, verdict.getDecision());
        assertEquals(HASH + "@" + written.offset(), verdict.getPolicySetRevision());
    }

    @Test
    void riskVerdictsAndEscalationsAreQueryable() throws Exception {
        String user = "user-risk-" + run;
        String conversation = "conv-risk-" + run;
        Instant created = Instant.now().truncatedTo(ChronoUnit.HOURS).plusSeconds(60);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < THRESHOLD + 1; i++) {
            Completion c = completion("k" + i + "-" + run, conversation, user, "", "mail k" + i + "." + run + "@example.com")
                    .toBuilder().setCreatedAt(Timestamps.fromMillis(created.toEpochMilli())).build();
            ids.add(c.getCompletionId());
            screen(c);
        }
        UserEscalation escalation = escalations.await(e -> e.getUserId().equals(user), LIVE)
                .orElseThrow(() -> new AssertionError("no escalation for " + user));
        assertEquals(ids.get(THRESHOLD - 1), escalation.getCompletionId());
        assertEquals(THRESHOLD, escalation.getFindingCount());
        assertEquals(THRESHOLD, escalation.getThreshold());
        escalations.await(e -> false, Duration.ofSeconds(1));
        assertEquals(1, escalations.count(e -> e.getUserId().equals(user)), "one escalation per user per window");

        GetUserRiskResponse risk = queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build());
        assertEquals(1, risk.getWindowsCount());
        assertEquals(THRESHOLD + 1, risk.getWindows(0).getFindingCount());
        assertEquals(THRESHOLD + 1L, risk.getWindows(0).getFindingsByCategoryMap().get("email"));
        assertTrue(risk.getWindows(0).getEscalated());
        assertEquals(created.truncatedTo(ChronoUnit.HOURS).toEpochMilli(), Timestamps.toMillis(risk.getWindows(0).getWindowStart()));
        assertFalse(risk.getMetadata().getServedBy().isEmpty());

        GetConversationVerdictsResponse recent = queries.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder()
                .setConversationId(conversation).build());
        assertEquals(ids, recent.getVerdictsList().stream().map(SafetyVerdict::getCompletionId).toList());
        GetConversationVerdictsResponse lastTwo = queries.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder()
                .setConversationId(conversation).setLimit(2).build());
        assertEquals(ids.subList(ids.size() - 2, ids.size()), lastTwo.getVerdictsList().stream().map(SafetyVerdict::getCompletionId).toList());
        assertTrue(lastTwo.getMetadata().getPartition() >= 0);

        // Keyset paging walks every escalation once, in key order.
        List<String> paged = new ArrayList<>();
        String token = "";
        do {
            ListEscalationsResponse page = queries.listEscalations(ListEscalationsRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(1).setPageToken(token)).build());
            assertTrue(page.getServersList().stream().allMatch(s -> s.getOk()), page.getServersList().toString());
            assertTrue(page.getEscalationsCount() <= 1);
            page.getEscalationsList().forEach(e -> paged.add(e.getUserId() + "@" + Timestamps.toMillis(e.getWindowStart())));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertTrue(paged.contains(user + "@" + created.truncatedTo(ChronoUnit.HOURS).toEpochMilli()), paged.toString());
        assertEquals(paged.stream().distinct().toList(), paged, "no escalation on two pages");
    }

    @Test
    void garbageIsDeadLetteredToTheRestrictedTopic() throws Exception {
        byte[] garbage = ("not a completion " + run).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), ("conv-g-" + run).getBytes(StandardCharsets.UTF_8), garbage)).get();
        }
        TopicSpec<byte[]> dlq = Topics.deadLetter("safety-filter", true);
        assertTrue(dlq.restricted());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(dlq.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            ConsumerRecord<byte[], byte[]> found = null;
            long deadline = System.nanoTime() + LIVE.toNanos();
            while (found == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(garbage, record.value())) {
                        found = record;
                    }
                }
            }
            assertTrue(found != null, "garbage reached " + dlq.name());
            assertArrayEquals(("conv-g-" + run).getBytes(StandardCharsets.UTF_8), found.key());
            assertEquals(Topics.LLM_COMPLETIONS.name(),
                    new String(found.headers().lastHeader("flywheel.dlq.source.topic").value(), StandardCharsets.UTF_8));
            assertTrue(found.headers().lastHeader("flywheel.dlq.error.message") != null);
        }
    }

    /**
     * Completions dated outside Timestamp's range, before 1970 and in 2100, and a 2 MiB prompt full
     * of e-mail addresses, sent between valid completions of the same user: the service stays
     * ready, each bad record is dead-lettered once with its bytes and a reason naming what broke,
     * and the valid completions get the verdicts and the user the risk they would get alone.
     */
    @Test
    void hostileTimestampsAndAHugePromptAreDeadLetteredOnceAndChangeNoVerdict() throws Exception {
        String user = "user-hostile-" + run;
        String conversation = "conv-hostile-" + run;
        Instant created = Instant.now().minus(Duration.ofMinutes(1));
        List<Completion> valid = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String response = i % 5 == 0 ? "write to h" + i + "." + run + "@example.com" : "a plain answer " + i;
            valid.add(completion("h" + i + "-" + run, conversation, user, "", response).toBuilder()
                    .setCreatedAt(Timestamps.fromMillis(created.toEpochMilli())).build());
        }
        // Each carries an e-mail address: it would add a finding to the user's risk if it were screened.
        String mail = "mail me at h." + run + "@example.com";
        Map<String, Completion> hostile = new LinkedHashMap<>();
        hostile.put("created_at (seconds=" + BEYOND_TIMESTAMP_RANGE, completion("bad-range-" + run, "hostile-" + run + "-1",
                user, "", mail).toBuilder().setCreatedAt(Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE)).build());
        hostile.put("created_at 1969-12-31T00:00:00Z is before 1970", completion("bad-pre1970-" + run, "hostile-" + run + "-2",
                user, "", mail).toBuilder().setCreatedAt(Timestamp.newBuilder().setSeconds(-86_400)).build());
        hostile.put("created_at 2100-01-01T00:00:00Z is more than", completion("bad-2100-" + run, "hostile-" + run + "-3",
                user, "", mail).toBuilder().setCreatedAt(Timestamp.newBuilder().setSeconds(YEAR_2100)).build());
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; prompt.length() < 2 * 1024 * 1024; i++) {
            prompt.append("user").append(i).append("@example.com ");
        }
        hostile.put("completion is ", completion("bad-huge-" + run, "hostile-" + run + "-4", user, prompt.toString(), mail));

        STACK.sendAmongValid("safety-filter", Topics.LLM_COMPLETIONS, valid, hostile, Completion::getConversationId);

        for (Completion c : valid) {
            SafetyVerdict verdict = verdicts.await(v -> v.getCompletionId().equals(c.getCompletionId()), LIVE)
                    .orElseThrow(() -> new AssertionError("no verdict for " + c.getCompletionId()));
            assertEquals(c.getResponseText().contains("@") ? Decision.REDACT : Decision.ALLOW, verdict.getDecision());
        }
        assertEquals(valid.stream().map(Completion::getCompletionId).toList(), queries.getConversationVerdicts(
                GetConversationVerdictsRequest.newBuilder().setConversationId(conversation).build())
                .getVerdictsList().stream().map(SafetyVerdict::getCompletionId).toList());
        for (Completion c : hostile.values()) {
            assertStatus(Status.Code.NOT_FOUND, c.getConversationId(), () -> queries.getConversationVerdicts(
                    GetConversationVerdictsRequest.newBuilder().setConversationId(c.getConversationId()).build()));
        }
        GetUserRiskResponse risk = queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build());
        assertEquals(1, risk.getWindowsCount(), "no window in 2100: " + risk);
        assertEquals(2, risk.getWindows(0).getFindingCount(), "the findings of the valid completions alone");

        ServiceHealth.assertReadyAndRunning(FlywheelServiceResource.port(), Duration.ofSeconds(10));
    }

    /**
     * Bad records of safety.policies (a policy whose id is not its key, one with an unknown action,
     * garbage bytes) sent between two valid policies: the policy intake check dead-letters each
     * once with its bytes and a reason naming the field, the global store skips them, the valid
     * policies are in force and the service stays ready.
     */
    @Test
    void badPolicyRecordsAreDeadLetteredOnceAndTheValidOnesApply() throws Exception {
        String block = "it.intake-block-" + run;
        String flag = "it.intake-flag-" + run;
        List<SafetyPolicy> valid = List.of(
                SafetyPolicy.newBuilder().setId(block).setEnabled(true).setCategory("intake").setTarget(SafetyTarget.BOTH)
                        .setAction(SafetyAction.BLOCK).setKeywords(SafetyPolicy.KeywordList.newBuilder().addKeywords("okapi" + run)).build(),
                SafetyPolicy.newBuilder().setId(flag).setEnabled(true).setCategory("intake").setTarget(SafetyTarget.BOTH)
                        .setAction(SafetyAction.FLAG).setKeywords(SafetyPolicy.KeywordList.newBuilder().addKeywords("quokka" + run)).build());
        String mismatchKey = "it.intake-key-" + run;
        Map<String, SafetyPolicy> hostile = new LinkedHashMap<>();
        hostile.put("record key '" + mismatchKey + "' and policy id 'it.intake-other-" + run + "' differ",
                valid.get(0).toBuilder().setId("it.intake-other-" + run).build());
        hostile.put("action missing (FLAG, REDACT or BLOCK)", valid.get(1).toBuilder().setId("it.intake-action-" + run).setActionValue(42).build());

        STACK.sendAmongValid("safety-filter", Topics.SAFETY_POLICIES, valid, hostile,
                p -> p.getId().startsWith("it.intake-other-") ? mismatchKey : p.getId());
        byte[] garbage = ("not a policy " + run).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> raw = STACK.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.SAFETY_POLICIES.name(), ("it.intake-garbage-" + run).getBytes(StandardCharsets.UTF_8),
                    garbage)).get();
        }
        // The parser's own message is the reason of undecodable bytes.
        STACK.assertDeadLetteredOnce("safety-filter", Topics.SAFETY_POLICIES.name(), List.of(new DeadLetter.Expected(garbage, "")),
                Duration.ofSeconds(30));

        long deadline = System.nanoTime() + LIVE.toNanos();
        GetPolicySetResponse set = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance());
        while (set.getSkippedList().stream().noneMatch(s -> s.getPolicyId().equals("it.intake-garbage-" + run)) && System.nanoTime() < deadline) {
            sleep(200);
            set = queries.getPolicySet(GetPolicySetRequest.getDefaultInstance());
        }
        Set<String> active = set.getActiveList().stream().map(SafetyPolicy::getId).collect(Collectors.toSet());
        assertTrue(active.containsAll(List.of(block, flag)), "the valid policies are in force: " + active);
        Set<String> skipped = set.getSkippedList().stream().map(SkippedPolicy::getPolicyId).collect(Collectors.toSet());
        assertTrue(skipped.containsAll(List.of(mismatchKey, "it.intake-action-" + run, "it.intake-garbage-" + run)),
                "the global store skipped the bad records: " + skipped);
        assertEquals(Decision.BLOCK, screen(completion("intake-" + run, "conv-intake-" + run, "user-intake-" + run, "",
                "an okapi" + run + " appears")).getDecision());

        ServiceHealth.assertReadyAndRunning(FlywheelServiceResource.port(), Duration.ofSeconds(10));
    }

    @Test
    void badRequestsGetClearErrors() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "user_id",
                () -> queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId(" ").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "user_id",
                () -> queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId("x".repeat(300)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "max_lag_records",
                () -> queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId("u").setMaxLagRecords(-1).build()));
        assertStatus(Status.Code.NOT_FOUND, "nobody-" + run,
                () -> queries.getUserRisk(GetUserRiskRequest.newBuilder().setUserId("nobody-" + run).build()));

        assertStatus(Status.Code.INVALID_ARGUMENT, "conversation_id",
                () -> queries.getConversationVerdicts(GetConversationVerdictsRequest.getDefaultInstance()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "limit",
                () -> queries.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder()
                        .setConversationId("c").setLimit(5000).build()));
        assertStatus(Status.Code.NOT_FOUND, "no-such-conversation-" + run,
                () -> queries.getConversationVerdicts(GetConversationVerdictsRequest.newBuilder()
                        .setConversationId("no-such-conversation-" + run).build()));

        for (int size : new int[] {0, 1_000_000}) {
            assertStatus(Status.Code.INVALID_ARGUMENT, "page_size", () -> queries.listEscalations(ListEscalationsRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(size)).build()));
        }
        assertStatus(Status.Code.INVALID_ARGUMENT, "page_token", () -> queries.listEscalations(ListEscalationsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(10).setPageToken("%%%not-base64")).build()));
    }

    private static void assertStatus(Status.Code code, String mentioned, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains(mentioned),
                e.getStatus().getDescription());
    }

    private static Completion completion(String completionId, String conversationId, String userId, String prompt, String response) {
        return Completion.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setUserId(userId)
                .setModel(ModelRef.newBuilder().setName("gpt-it").setVersion("v1"))
                .setPromptVersion("p1")
                .setPromptText(prompt)
                .setResponseText(response)
                .setCreatedAt(Timestamps.fromMillis(System.currentTimeMillis()))
                .build();
    }

    /** Sends one completion and returns its verdict. */
    private static SafetyVerdict screen(Completion completion) throws Exception {
        completions.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), completion.getConversationId(), completion)).get();
        return verdicts.await(v -> v.getCompletionId().equals(completion.getCompletionId()), LIVE)
                .orElseThrow(() -> new AssertionError("no verdict for " + completion.getCompletionId()));
    }

    /** Sends a fresh completion every 300 ms until its verdict satisfies {@code wanted}. */
    private static SafetyVerdict screenUntil(java.util.function.IntFunction<Completion> next, Predicate<SafetyVerdict> wanted)
            throws Exception {
        long deadline = System.nanoTime() + LIVE.plusSeconds(5).toNanos();
        SafetyVerdict last = null;
        for (int i = 0; System.nanoTime() < deadline; i++) {
            last = screen(next.apply(i));
            if (wanted.test(last)) {
                return last;
            }
            sleep(300);
        }
        throw new AssertionError("no wanted verdict in time; last: " + last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String letters(int count) {
        Random random = new Random(UUID.randomUUID().getMostSignificantBits());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append((char) ('a' + random.nextInt(26)));
        }
        return out.toString();
    }

    /** Reads an output topic (committed records only) from the beginning and keeps what it saw. */
    static final class Watcher<V extends Message> implements AutoCloseable {
        private final KafkaConsumer<String, V> consumer;
        private final List<V> seen = new ArrayList<>();

        Watcher(TopicSpec<V> topic) {
            Deserializer<V> values = STACK.serdes().valueDeserializer(topic.valueType());
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), values);
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        synchronized Optional<V> await(Predicate<V> wanted, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (V value : seen) {
                    if (wanted.test(value)) {
                        return Optional.of(value);
                    }
                }
                if (System.nanoTime() > deadline) {
                    return Optional.empty();
                }
                consumer.poll(Duration.ofMillis(100)).forEach(record -> seen.add(record.value()));
            }
        }

        synchronized boolean seen(Predicate<V> wanted) {
            return seen.stream().anyMatch(wanted);
        }

        synchronized long count(Predicate<V> wanted) {
            return seen.stream().filter(wanted).count();
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }
}
