package io.flywheel.safety.topology;

import static io.flywheel.safety.topology.Completions.completion;
import static io.flywheel.safety.topology.Completions.keywords;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.testkit.TopologyTestDrivers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The safety-filter's domain metrics after known traffic: poison records, a BLOCK, an ALLOW, many users. */
class SafetyMetricsTest {

    /** Enough to show no series per user; the services' metrics ITs send 10,000 (the driver flushes state per record). */
    private static final int USERS = 300;

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    /** Kafka Streams' default record cache, as in production. */
    private static final long DEFAULT_CACHE_BYTES = 10L * 1024 * 1024;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Completion> completions;
    private TestInputTopic<byte[], byte[]> rawCompletions;
    private TestInputTopic<String, SafetyPolicy> policies;

    @BeforeEach
    void start() {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        SafetyMetrics metrics = new SafetyMetrics(registry);
        ActivePolicySet active = new ActivePolicySet();
        metrics.watch(active);
        driver = TopologyTestDrivers.open(SafetyTopology.build(SafetySettings.defaults(), serdes, active, metrics),
                SafetySettings.DEFAULT_APPLICATION_ID, DEFAULT_CACHE_BYTES, Instant.now());
        completions = driver.createInputTopic(Topics.LLM_COMPLETIONS.name(), new StringSerializer(),
                serdes.valueSerializer(Completion.class));
        rawCompletions = driver.createInputTopic(Topics.LLM_COMPLETIONS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        policies = driver.createInputTopic(Topics.SAFETY_POLICIES.name(), new StringSerializer(),
                serdes.valueSerializer(SafetyPolicy.class));
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void send(Completion completion) {
        completions.pipeInput(completion.getConversationId(), completion, T0);
    }

    private double count(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void countsDecisionsFindingsOutputsAndDeadLettersByReason() {
        assertEquals(-1, gauge("flywheel.safety.policy.revision.offset"));
        policies.pipeInput("ops.zebra", keywords("ops.zebra", "animal", List.of("zebracorn"), SafetyAction.BLOCK, 3), T0);
        assertEquals(0, gauge("flywheel.safety.policy.revision.offset"));
        policies.pipeInput("ops.bad", Completions.regex("ops.bad", "bad", "(unclosed", SafetyAction.BLOCK, 5), T0);
        assertEquals(1, gauge("flywheel.safety.policy.revision.offset"));
        assertEquals(1, gauge("flywheel.safety.policies.skipped"));

        send(completion("c1", "conv-1", "u1", T0, "hello", "a zebracorn walks by"));
        send(completion("c2", "conv-2", "u2", T0, "What is the capital of France?", "Paris."));
        send(completion("c3", "conv-3", "u3", T0, "hi", "nothing to see"));
        rawCompletions.pipeInput("conv-4".getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2, 3}, T0);
        rawCompletions.pipeInput(null, new byte[] {0, 1, 2, 3}, T0);
        rawCompletions.pipeInput("conv-5".getBytes(StandardCharsets.UTF_8), null, T0);

        assertEquals(1, count("flywheel.safety.decisions", "action", "block"));
        assertEquals(2, count("flywheel.safety.decisions", "action", "allow"));
        assertEquals(1, count("flywheel.safety.findings", "category", "animal", "action", "block"));
        assertEquals(6, count("flywheel.records.in", "topic", Topics.LLM_COMPLETIONS.name()));
        assertEquals(3, count("flywheel.records.out", "topic", Topics.SAFETY_VERDICTS.name()));
        assertEquals(2, count("flywheel.records.out", "topic", Topics.LLM_COMPLETIONS_SCREENED.name()));
        assertEquals(1, count("flywheel.records.out", "topic", Topics.SAFETY_QUARANTINE.name()));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.LLM_COMPLETIONS.name(), "reason", "undecodable"));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.LLM_COMPLETIONS.name(), "reason", "missing_key"));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.LLM_COMPLETIONS.name(), "reason", "missing_value"));
    }

    @Test
    void moreDistinctUsersAddNoSeries() {
        policies.pipeInput("ops.zebra", keywords("ops.zebra", "animal", List.of("zebracorn"), SafetyAction.BLOCK, 3), T0);
        send(completion("w1", "conv-w1", "warm-1", T0, "hello", "a zebracorn walks by"));
        send(completion("w2", "conv-w2", "warm-2", T0, "hello", "plain"));
        int series = registry.getMeters().size();

        for (int i = 0; i < USERS; i++) {
            String user = "user-" + i;
            send(completion("c-" + i, "conv-" + i, user, T0, "hello", i % 2 == 0 ? "a zebracorn" : "plain"));
        }

        assertEquals(series, registry.getMeters().size());
        assertEquals(USERS / 2 + 1, count("flywheel.safety.decisions", "action", "block"));
    }

    @Test
    void policyCategoriesBeyondTheCapShareOneSeries() {
        int categories = SafetyMetrics.CATEGORY_LIMIT + 20;
        for (int i = 0; i < categories; i++) {
            policies.pipeInput("ops.w" + i, keywords("ops.w" + i, "category-" + i, List.of("word" + i + "x"), SafetyAction.REDACT, 1), T0);
            send(completion("c-" + i, "conv-" + i, "u", T0, "hello", "say word" + i + "x"));
        }
        long named = registry.find("flywheel.safety.findings").counters().stream()
                .filter(c -> !c.getId().getTag("category").equals("other")).count();
        assertEquals(SafetyMetrics.CATEGORY_LIMIT, named);
        assertEquals(20, count("flywheel.safety.findings", "category", "other", "action", "redact"));
        assertNull(registry.find("flywheel.safety.findings").tag("category", "category-" + (categories - 1)).counter());
    }
}
