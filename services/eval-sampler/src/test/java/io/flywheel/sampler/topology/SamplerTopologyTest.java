package io.flywheel.sampler.topology;

import static io.flywheel.sampler.topology.SamplerEvents.alert;
import static io.flywheel.sampler.topology.SamplerEvents.completion;
import static io.flywheel.sampler.topology.SamplerEvents.conversationWithDraw;
import static io.flywheel.sampler.topology.SamplerEvents.feedback;
import static io.flywheel.sampler.topology.SamplerEvents.thumbDown;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.sampler.sampling.BoostWindow;
import io.flywheel.sampler.sampling.ConversationDraw;
import io.flywheel.sampler.sampling.FeedbackJoinCounts;
import io.flywheel.sampler.sampling.SampleId;
import io.flywheel.sampler.sampling.SampleReason;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumSummary;
import io.flywheel.state.v1.SamplerTaskState;
import io.flywheel.state.v1.StratumTallyState;
import io.flywheel.testkit.TopologyTestDrivers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reason and join order of the sampler topology, with the record cache off (0) and on (10 MiB). */
class SamplerTopologyTest {

    private static final long MIN = 60_000;
    private static final long T0 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
    private static final Instant WALL_CLOCK = Instant.parse("2026-11-26T12:00:00Z");
    static final SamplingPolicy POLICY = ConfigFixtures.policy(Map.of(
            "salt", "topology-test",
            "default.base-rate", "0.05",
            "safety-rate", "0.5",
            "drift-rate", "0.3",
            "negative-feedback-rate", "0.8",
            "boost-window", "10m",
            "boost-grace", "1m"));
    private static final ConversationDraw DRAW = new ConversationDraw("topology-test");

    private TopologyTestDriver driver;
    private SkippedAlerts skippedAlerts;
    private TestInputTopic<String, ScreenedCompletion> completions;
    private TestInputTopic<String, FeedbackEvent> feedback;
    private TestInputTopic<String, DriftAlert> alerts;
    private TestInputTopic<byte[], byte[]> rawCompletions;
    private TestInputTopic<byte[], byte[]> rawFeedback;
    private TestInputTopic<byte[], byte[]> rawAlerts;
    private TestOutputTopic<String, EvalSample> samples;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(long cacheBytes) {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        SamplerSettings settings = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID, POLICY);
        skippedAlerts = new SkippedAlerts();
        driver = TopologyTestDrivers.open(SamplerTopology.build(settings, serdes, skippedAlerts), settings.applicationId(),
                cacheBytes, WALL_CLOCK);
        completions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), new StringSerializer(),
                serdes.valueSerializer(ScreenedCompletion.class));
        feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new StringSerializer(),
                serdes.valueSerializer(FeedbackEvent.class));
        alerts = driver.createInputTopic(Topics.FEEDBACK_ALERTS.name(), new StringSerializer(), serdes.valueSerializer(DriftAlert.class));
        rawCompletions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), new ByteArraySerializer(), new ByteArraySerializer());
        rawFeedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        rawAlerts = driver.createInputTopic(Topics.FEEDBACK_ALERTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        samples = driver.createOutputTopic(Topics.EVAL_SAMPLES.name(), new StringDeserializer(),
                serdes.valueDeserializer(EvalSample.class));
        deadLetters = driver.createOutputTopic(SamplerTopology.deadLetterTopic(settings).name(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(ScreenedCompletion completion) {
        completions.pipeInput(completion.getCompletion().getConversationId(), completion,
                Instant.ofEpochMilli(Timestamps.toMillis(completion.getCompletion().getCreatedAt())));
    }

    private void send(FeedbackEvent event) {
        feedback.pipeInput(event.getConversationId(), event, Instant.ofEpochMilli(Timestamps.toMillis(event.getOccurredAt())));
    }

    private void send(DriftAlert alert) {
        alerts.pipeInput(AggregateKey.allTime(alert.getModel().getName(), alert.getModel().getVersion(), alert.getPromptVersion())
                .encode(), alert);
    }

    private StratumSummary stats(String stratum) {
        KeyValueStore<String, StratumTallyState> store = driver.getKeyValueStore(SamplerStores.STRATA_STORE);
        return SamplerStateCodec.stats(store.get(stratum).getStats());
    }

    private SamplerTaskState task() {
        KeyValueStore<String, SamplerTaskState> store = driver.getKeyValueStore(SamplerStores.TASK_STORE);
        return store.get(StoreSamplerMemory.TASK_KEY);
    }

    private FeedbackJoinCounts feedbackStats() {
        return SamplerStateCodec.feedback(task().getFeedback());
    }

    private static EvalSample single(List<TestRecord<String, EvalSample>> records) {
        assertEquals(1, records.size(), records::toString);
        return records.get(0).value();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void baselineSampleCarriesItsProbabilityIdAndStratumKeyedByConversation(long cache) {
        start(cache);
        String in = conversationWithDraw(DRAW, "in-", 0.0, 0.05);
        String out = conversationWithDraw(DRAW, "out-", 0.05, 1.0);
        ScreenedCompletion sampled = completion(in, "c1", "gpt-a", T0);
        send(sampled);
        send(completion(out, "c1", "gpt-a", T0 + 1000));

        List<TestRecord<String, EvalSample>> records = samples.readRecordsToList();
        assertEquals(1, records.size(), records::toString);
        assertEquals(in, records.get(0).key());
        EvalSample sample = records.get(0).value();
        assertEquals(EvalSample.Reason.BASELINE, sample.getReason());
        assertEquals(0.05, sample.getInclusionProbability());
        assertEquals(SampleId.of(in, "c1", SampleReason.BASELINE), sample.getSampleId());
        assertEquals("gpt-a", sample.getStratum());
        assertEquals(sampled, sample.getCompletion());
        assertEquals(sampled.getVerdict(), sample.getVerdict());
        assertEquals(T0, Timestamps.toMillis(sample.getSampledAt()));
        assertFalse(sample.hasTriggeringFeedback());

        StratumSummary stats = stats("gpt-a");
        assertEquals(2, stats.seen());
        assertEquals(1, stats.sampledBy(SampleReason.BASELINE));
        assertEquals(0.05, stats.targetRate(), 1e-12);
        assertEquals(0.05, stats.currentRate(), 1e-12);

        // A re-delivered completion is recognised: no second sample, not counted again.
        send(sampled);
        assertTrue(samples.isEmpty());
        assertEquals(2, stats("gpt-a").seen());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void negativeFeedbackAfterItsCompletionPullsItIn(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "nf-", 0.05, 0.8);
        ScreenedCompletion c = completion(conversation, "c1", "gpt-a", T0);
        send(c);
        assertTrue(samples.isEmpty(), "u is above the baseline rate");
        FeedbackEvent down = thumbDown("fb-1", c, T0 + 3 * MIN);
        send(down);

        List<TestRecord<String, EvalSample>> records = samples.readRecordsToList();
        EvalSample sample = single(records);
        assertEquals(conversation, records.get(0).key());
        assertEquals(EvalSample.Reason.NEGATIVE_FEEDBACK, sample.getReason());
        assertEquals(0.8, sample.getInclusionProbability());
        assertEquals(SampleId.of(conversation, "c1", SampleReason.NEGATIVE_FEEDBACK), sample.getSampleId());
        assertEquals(down, sample.getTriggeringFeedback());
        assertEquals(c, sample.getCompletion());
        assertEquals(T0 + 3 * MIN, Timestamps.toMillis(sample.getSampledAt()));
        assertEquals(1, feedbackStats().count(BoostWindow.Join.BOOSTED));
        assertEquals(1, stats("gpt-a").sampledBy(SampleReason.NEGATIVE_FEEDBACK));

        // More negative feedback on it: counted, never a second sample.
        send(feedback("fb-2", c, T0 + 4 * MIN).setRating(1).build());
        assertTrue(samples.isEmpty());
        assertEquals(1, feedbackStats().count(BoostWindow.Join.ALREADY_BOOSTED));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void negativeFeedbackBeforeItsCompletionGivesTheSameSample(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "nf-", 0.05, 0.8);
        ScreenedCompletion c = completion(conversation, "c1", "gpt-a", T0);
        FeedbackEvent down = thumbDown("fb-1", c, T0 + 3 * MIN);
        send(down);
        assertTrue(samples.isEmpty(), "held until its completion arrives");
        assertEquals(1, feedbackStats().count(BoostWindow.Join.HELD));
        assertEquals(1, task().getHeldFeedback());
        send(c);

        EvalSample sample = single(samples.readRecordsToList());
        // Exactly what the other arrival order gives.
        EvalSample expected = EvalSample.newBuilder()
                .setSampleId(SampleId.of(conversation, "c1", SampleReason.NEGATIVE_FEEDBACK))
                .setCompletion(c)
                .setVerdict(c.getVerdict())
                .setTriggeringFeedback(down)
                .setStratum("gpt-a")
                .setReason(EvalSample.Reason.NEGATIVE_FEEDBACK)
                .setInclusionProbability(0.8)
                .setSampledAt(Timestamps.fromMillis(T0 + 3 * MIN))
                .build();
        assertEquals(expected, sample);
        assertEquals(1, feedbackStats().count(BoostWindow.Join.BOOSTED));
        assertEquals(0, task().getHeldFeedback());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void flaggedAndRedactedCompletionsAreSampledForSafetyAtTheSafetyRate(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "s-", 0.05, 0.5);
        send(completion(conversation, "c1", "gpt-a", T0, SafetyVerdict.Decision.FLAG));
        send(completion(conversation, "c2", "gpt-a", T0 + 1, SafetyVerdict.Decision.REDACT));
        send(completion(conversation, "c3", "gpt-a", T0 + 2, SafetyVerdict.Decision.ALLOW));
        List<TestRecord<String, EvalSample>> records = samples.readRecordsToList();
        assertEquals(2, records.size(), records::toString);
        for (TestRecord<String, EvalSample> record : records) {
            assertEquals(EvalSample.Reason.SAFETY, record.value().getReason());
            assertEquals(0.5, record.value().getInclusionProbability());
            assertEquals(SampleId.of(conversation, record.value().getCompletion().getCompletion().getCompletionId(),
                    SampleReason.SAFETY), record.value().getSampleId());
        }
        assertEquals(2, stats("gpt-a").sampledBy(SampleReason.SAFETY));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void aDriftAlertRaisesItsModelsRateAndARecoveryRestoresIt(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "d-", 0.05, 0.3);
        send(alert("gpt-a", DriftAlert.State.FIRING, T0));
        send(completion(conversation, "c1", "gpt-a", T0 + MIN));
        send(completion(conversation, "c2", "gpt-b", T0 + MIN));
        EvalSample sample = single(samples.readRecordsToList());
        assertEquals(EvalSample.Reason.DRIFT, sample.getReason());
        assertEquals(0.3, sample.getInclusionProbability());
        assertEquals("c1", sample.getCompletion().getCompletion().getCompletionId(), "only the alerting model key");

        send(alert("gpt-a", DriftAlert.State.RECOVERED, T0 + 2 * MIN));
        send(completion(conversation, "c3", "gpt-a", T0 + 3 * MIN));
        assertTrue(samples.isEmpty(), "the recovery restores the baseline rate");
        // An older alert arriving late changes nothing.
        send(alert("gpt-a", DriftAlert.State.FIRING, T0 - MIN));
        send(completion(conversation, "c4", "gpt-a", T0 + 4 * MIN));
        assertTrue(samples.isEmpty());
        // Under the baseline rate a completion is still sampled after the recovery, for BASELINE.
        String low = conversationWithDraw(DRAW, "d-low-", 0.0, 0.05);
        send(completion(low, "c5", "gpt-a", T0 + 5 * MIN));
        assertEquals(EvalSample.Reason.BASELINE, single(samples.readRecordsToList()).getReason());
        assertEquals(1, stats("gpt-a").sampledBy(SampleReason.DRIFT));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void feedbackOutsideTheBoostWindowIsCountedNotSampled(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "o-", 0.05, 0.8);
        ScreenedCompletion c = completion(conversation, "c1", "gpt-a", T0);
        send(c);
        send(thumbDown("late", c, T0 + 11 * MIN));
        // Feedback first, and outside the window by its own completion_created_at: not even held.
        ScreenedCompletion other = completion(conversation, "c2", "gpt-a", T0);
        send(thumbDown("late-2", other, T0 + 11 * MIN));
        assertTrue(samples.isEmpty());
        FeedbackJoinCounts stats = feedbackStats();
        assertEquals(2, stats.negative());
        assertEquals(2, stats.count(BoostWindow.Join.OUTSIDE_WINDOW));
        assertEquals(0, task().getHeldFeedback());
        assertEquals(0, stats("gpt-a").sampledBy(SampleReason.NEGATIVE_FEEDBACK));
        // Positive feedback is not negative feedback: not counted.
        send(feedback("up", c, T0 + MIN).setThumb(FeedbackEvent.Thumb.THUMB_UP).build());
        assertEquals(2, feedbackStats().negative());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void theBoostWindowForgetsWhatStreamTimeHasPassed(long cache) {
        start(cache);
        String conversation = conversationWithDraw(DRAW, "e-", 0.05, 0.8);
        ScreenedCompletion c = completion(conversation, "c1", "gpt-a", T0);
        ScreenedCompletion neverArrives = completion(conversation, "c2", "gpt-a", T0);
        send(c);
        send(thumbDown("held", neverArrives, T0 + MIN));
        assertEquals(1, task().getRememberedCompletions());
        assertEquals(1, task().getHeldFeedback());
        assertNotNull(driver.getKeyValueStore(SamplerStores.BOOST_COMPLETIONS_STORE)
                .get(SamplerStateCodec.refKey(new io.flywheel.sampler.sampling.CompletionRef(conversation, "c1"))));

        // Stream time (completion created_at) moves past created_at + window + grace.
        String elsewhere = conversationWithDraw(DRAW, "x-", 0.9, 1.0);
        send(completion(elsewhere, "c9", "gpt-a", T0 + 11 * MIN));
        assertEquals(1, task().getRememberedCompletions(), "only the new completion is remembered");
        assertEquals(0, task().getHeldFeedback());
        assertEquals(1, feedbackStats().unmatchedExpired());
        assertEquals(1, countEntries(SamplerStores.BOOST_COMPLETIONS_STORE));
        assertEquals(0, countEntries(SamplerStores.BOOST_PENDING_STORE));
        assertEquals(1, countEntries(SamplerStores.BOOST_EXPIRY_STORE));

        // Feedback in the window but after it passed, its completion forgotten: LATE, not sampled.
        send(thumbDown("late", c, T0 + 5 * MIN));
        assertTrue(samples.isEmpty());
        assertEquals(1, feedbackStats().count(BoostWindow.Join.LATE));
    }

    private long countEntries(String store) {
        long count = 0;
        try (var all = driver.getKeyValueStore(store).all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void undecodableAndInvalidRecordsAreDeadLetteredWithTheirOriginalBytes(long cache) {
        start(cache);
        byte[] garbage = "not protobuf".getBytes(StandardCharsets.UTF_8);
        rawCompletions.pipeInput("conv-g".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, 0x13, 0x37});
        rawFeedback.pipeInput("conv-g".getBytes(StandardCharsets.UTF_8), garbage);
        ScreenedCompletion c = completion("conv-1", "c1", "gpt-a", T0);
        completions.pipeInput("another-conversation", c);
        send(completion("conv-2", "c1", "gpt-a", T0, SafetyVerdict.Decision.BLOCK));
        send(feedback("no-signal", c, T0 + MIN).build());

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(5, dead.size());
        assertArrayEquals(new byte[] {(byte) 0xff, 0x13, 0x37}, dead.get(0).value());
        assertEquals(Topics.LLM_COMPLETIONS_SCREENED.name(), header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC));
        assertArrayEquals(garbage, dead.get(1).value());
        assertEquals(Topics.FEEDBACK_EVENTS.name(), header(dead.get(1), DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(header(dead.get(2), DeadLetterHeaders.ERROR_MESSAGE).contains("conversation_id"));
        assertTrue(header(dead.get(3), DeadLetterHeaders.ERROR_MESSAGE).contains("BLOCK"));
        assertTrue(header(dead.get(4), DeadLetterHeaders.ERROR_MESSAGE).contains("no signal"));
        assertEquals("eval-sampler", header(dead.get(4), DeadLetterHeaders.APPLICATION_ID));
        assertTrue(samples.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void anUndecodableAlertIsSkippedAndCountedWithoutStoppingTheClient(long cache) {
        start(cache);
        rawAlerts.pipeInput("gpt-a/v1/p1".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, skippedAlerts.count());
        send(alert("gpt-a", DriftAlert.State.FIRING, T0));
        String conversation = conversationWithDraw(DRAW, "d-", 0.05, 0.3);
        send(completion(conversation, "c1", "gpt-a", T0 + MIN));
        assertEquals(EvalSample.Reason.DRIFT, single(samples.readRecordsToList()).getReason());
        // A tombstone ends the alert.
        rawAlerts.pipeInput(AggregateKey.allTime("gpt-a", "v1", SamplerEvents.PROMPT).encode().getBytes(StandardCharsets.UTF_8), (byte[]) null);
        send(completion(conversation, "c2", "gpt-a", T0 + 2 * MIN));
        assertTrue(samples.isEmpty());
        assertEquals(1, skippedAlerts.count());
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
