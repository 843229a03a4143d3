package io.flywheel.sampler.topology;

import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.testkit.TopologyTestDrivers;
import static io.flywheel.sampler.topology.SamplerEvents.alert;
import static io.flywheel.sampler.topology.SamplerEvents.completion;
import static io.flywheel.sampler.topology.SamplerEvents.thumbDown;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sampler's domain metrics after known traffic: every reason, a budget, drift alerts, poison records, many users. */
class SamplerMetricsTest {

    /** Enough to show no series per user; the services' metrics ITs send 10,000 (the driver flushes state per record). */
    private static final int USERS = 300;

    private static final long T0 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
    private static final Instant WALL_CLOCK = Instant.parse("2026-11-26T12:00:00Z");
    /** Every completion is drawn for the baseline, within a budget of 1,000 per hour. */
    private static final SamplingPolicy POLICY = ConfigFixtures.policy(Map.of(
            "salt", "metrics-test",
            "default.base-rate", "1.0",
            "default.budget-per-period", "1000",
            "safety-rate", "1.0",
            "negative-feedback-rate", "1.0",
            "boost-window", "10m",
            "boost-grace", "1m"));

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, ScreenedCompletion> completions;
    private TestInputTopic<String, FeedbackEvent> feedback;
    private TestInputTopic<String, DriftAlert> alerts;
    private TestInputTopic<byte[], byte[]> rawFeedback;

    @BeforeEach
    void start() {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        SamplerSettings settings = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID, POLICY);
        SkippedAlerts skipped = new SkippedAlerts();
        SamplerMetrics metrics = new SamplerMetrics(registry);
        metrics.watch(skipped);
        driver = TopologyTestDrivers.open(SamplerTopology.build(settings, serdes, skipped, metrics), settings.applicationId(), 0,
                WALL_CLOCK);
        completions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), new StringSerializer(),
                serdes.valueSerializer(ScreenedCompletion.class));
        feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new StringSerializer(),
                serdes.valueSerializer(FeedbackEvent.class));
        alerts = driver.createInputTopic(Topics.FEEDBACK_ALERTS.name(), new StringSerializer(), serdes.valueSerializer(DriftAlert.class));
        rawFeedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void send(ScreenedCompletion completion) {
        completions.pipeInput(completion.getCompletion().getConversationId(), completion,
                Instant.ofEpochMilli(Timestamps.toMillis(completion.getCompletion().getCreatedAt())));
    }

    private void send(DriftAlert alert) {
        alerts.pipeInput(AggregateKey.allTime(alert.getModel().getName(), alert.getModel().getVersion(), alert.getPromptVersion())
                .encode(), alert);
    }

    private double count(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void countsSamplesByReasonAndStratumBudgetLeftAndDeadLetters() {
        send(completion("conv-1", "c1", "gpt-a", T0));
        send(completion("conv-2", "c2", "gpt-a", T0 + 1_000));
        send(completion("conv-3", "c3", "gpt-b", T0 + 2_000, SafetyVerdict.Decision.REDACT));
        rawFeedback.pipeInput("conv-x".getBytes(StandardCharsets.UTF_8), "not protobuf".getBytes(StandardCharsets.UTF_8));
        rawFeedback.pipeInput(null, "no key".getBytes(StandardCharsets.UTF_8));

        assertEquals(2, count("flywheel.sampler.samples", "reason", "baseline", "stratum", "gpt-a"));
        assertEquals(1, count("flywheel.sampler.samples", "reason", "safety", "stratum", "gpt-b"));
        assertEquals(3, count("flywheel.records.out", "topic", Topics.EVAL_SAMPLES.name()));
        assertEquals(3, count("flywheel.records.in", "topic", Topics.LLM_COMPLETIONS_SCREENED.name()));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.FEEDBACK_EVENTS.name(), "reason", "undecodable"));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.FEEDBACK_EVENTS.name(), "reason", "missing_key"));
        // One task holds budget ÷ partitions; it has drawn two of its share for gpt-a and one for gpt-b.
        long share = Math.round(1000.0 / Topics.CONVERSATION_PARTITIONS);
        double perTask = gauge("flywheel.sampler.budget.left", "stratum", "gpt-b") + 1;
        assertEquals(share, perTask, 1.0, "the stratum's task share, less one draw");
        assertEquals(gauge("flywheel.sampler.budget.left", "stratum", "gpt-b") - 1,
                gauge("flywheel.sampler.budget.left", "stratum", "gpt-a"));
    }

    @Test
    void aBoostIsANegativeFeedbackSample() {
        ScreenedCompletion rated = completion("conv-1", "c1", "gpt-a", T0);
        feedback.pipeInput("conv-1", thumbDown("f1", rated, T0 + 1_000), Instant.ofEpochMilli(T0 + 1_000));
        send(rated);
        assertEquals(1, count("flywheel.sampler.samples", "reason", "negative_feedback", "stratum", "gpt-a"));
    }

    @Test
    void driftAlertsFiringFollowTheLatestAlertPerModelKey() {
        send(alert("gpt-a", DriftAlert.State.FIRING, T0));
        send(alert("gpt-b", DriftAlert.State.FIRING, T0));
        assertEquals(2, gauge("flywheel.sampler.drift.alerts.firing"));
        send(alert("gpt-a", DriftAlert.State.RECOVERED, T0 + 1_000));
        assertEquals(1, gauge("flywheel.sampler.drift.alerts.firing"));
        alerts.pipeInput(AggregateKey.allTime("gpt-b", "v1", SamplerEvents.PROMPT).encode(), null);
        assertEquals(0, gauge("flywheel.sampler.drift.alerts.firing"));
    }

    @Test
    void moreDistinctUsersAddNoSeries() {
        send(completion("warm-1", "w1", "gpt-a", T0));
        int series = registry.getMeters().size();

        for (int i = 0; i < USERS; i++) {
            send(completion("conv-" + i, "c" + i, "gpt-a", T0 + i));
        }

        assertEquals(series, registry.getMeters().size());
        assertEquals(USERS + 1, count("flywheel.records.in", "topic", Topics.LLM_COMPLETIONS_SCREENED.name()));
    }

    @Test
    void strataBeyondTheCapShareOneSeries() {
        for (int i = 0; i < SamplerMetrics.STRATUM_LIMIT + 10; i++) {
            send(completion("conv-" + i, "c" + i, "model-" + i, T0 + i));
        }
        assertEquals(10, count("flywheel.sampler.samples", "reason", "baseline", "stratum", "other"));
        assertEquals(SamplerMetrics.STRATUM_LIMIT + 1, registry.find("flywheel.sampler.samples").counters().size());
    }
}
