package io.flywheel.sampler.topology;

import io.flywheel.testkit.TopologyTestDrivers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.HostileInputs;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sampler's three inputs under hostile input: screened completions, feedback events and drift
 * alerts, valid ones mixed with hostile but decodable ones: 20 seeds × (450 valid + about 150
 * hostile) records per topic, about 12,000 per topic on every build. No exception escapes; each
 * hostile record on the two stream topics yields exactly one dead letter naming its field; each
 * hostile alert is skipped and counted; the samples equal those of the valid records alone.
 */
class HostileInputPropertyTest {

    private static final long T0 = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();
    private static final int COMPLETIONS_PER_TRY = 450;
    private static final SamplerSettings SETTINGS = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID,
            SamplerTopologyTest.POLICY);

    private record Input(String topic, byte[] key, byte[] value, long timestamp, Optional<String> rejectedFor, boolean hostile) {
    }

    private record Outcome(List<EvalSample> samples, List<TestRecord<byte[], byte[]>> deadLetters, long skippedAlerts) {
    }

    /** 20 runs on every build, each from its own seed (named in the test report, so a failure can be replayed). */
    static LongStream seeds() {
        return new Random().longs(20);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void hostileRecordsAreDeadLetteredOrSkippedAndSamplesStayAsAlone(long seed) {
        Random random = new Random(seed);
        long wallClock = T0 + COMPLETIONS_PER_TRY * 10_000L + Duration.ofHours(1).toMillis();
        List<Input> valid = new ArrayList<>();
        List<Input> mixed = new ArrayList<>();
        int hostileAlerts = 0;
        for (int i = 0; i < COMPLETIONS_PER_TRY; i++) {
            long time = T0 + i * 10_000L;
            ScreenedCompletion completion = SamplerEvents.completion("conv-" + random.nextInt(50), "c-" + i,
                    random.nextBoolean() ? "gpt-a" : "gpt-b", time,
                    List.of(SafetyVerdict.Decision.ALLOW, SafetyVerdict.Decision.FLAG, SafetyVerdict.Decision.REDACT).get(random.nextInt(3)));
            FeedbackEvent feedback = random.nextBoolean()
                    ? SamplerEvents.thumbDown("f-" + i, completion, time + random.nextInt(600_000))
                    : SamplerEvents.feedback("f-" + i, completion, time + 1_000).setRating(1 + random.nextInt(5)).build();
            DriftAlert alert = SamplerEvents.alert(completion.getCompletion().getModel().getName(),
                    random.nextBoolean() ? DriftAlert.State.FIRING : DriftAlert.State.RECOVERED, time);
            String conversation = completion.getCompletion().getConversationId();
            List<Input> validRound = List.of(
                    input(Topics.LLM_COMPLETIONS_SCREENED.name(), conversation, completion.toByteArray(), time),
                    input(Topics.FEEDBACK_EVENTS.name(), conversation, feedback.toByteArray(), time),
                    input(Topics.FEEDBACK_ALERTS.name(), AggregateKey.allTime(alert.getModel().getName(), alert.getModel().getVersion(),
                            alert.getPromptVersion()).encode(), alert.toByteArray(), time));
            valid.addAll(validRound);
            mixed.addAll(validRound);
            if (random.nextInt(3) == 0) {
                HostileInputs.Hostile hostile = HostileInputs.completion(completion.getCompletion(), random, wallClock, "completion.",
                        c -> completion.toBuilder().setCompletion(c).build());
                mixed.add(new Input(Topics.LLM_COMPLETIONS_SCREENED.name(), bytes(conversation), hostile.value(), time, hostile.field(), true));
            }
            if (random.nextInt(3) == 0) {
                HostileInputs.Hostile hostile = HostileInputs.feedback(feedback, random, wallClock);
                mixed.add(new Input(Topics.FEEDBACK_EVENTS.name(), bytes(conversation), hostile.value(), time, hostile.field(), true));
            }
            if (random.nextInt(3) == 0) {
                hostileAlerts++;
                mixed.add(new Input(Topics.FEEDBACK_ALERTS.name(), bytes("gpt-a/v1/p1"), hostileAlert(alert, random), time,
                        Optional.empty(), true));
            }
        }
        Outcome alone = run(valid, wallClock);
        Outcome withHostile = run(mixed, wallClock);

        assertEquals(0, alone.deadLetters().size(), "valid records are never dead-lettered");
        assertEquals(0, alone.skippedAlerts());
        assertTrue(!alone.samples().isEmpty(), "the traffic must sample something");
        assertEquals(alone.samples(), withHostile.samples(), "hostile records change no sample");
        assertEquals(hostileAlerts, withHostile.skippedAlerts(), "each hostile alert is skipped and counted");
        Map<String, Input> hostileBySource = new HashMap<>();
        Map<String, Integer> offsets = new HashMap<>();
        for (Input input : mixed) {
            int offset = offsets.merge(input.topic(), 1, Integer::sum) - 1;
            if (input.hostile() && !input.topic().equals(Topics.FEEDBACK_ALERTS.name())) {
                hostileBySource.put(input.topic() + "@" + offset, input);
            }
        }
        assertEquals(hostileBySource.size(), withHostile.deadLetters().size(), "one dead letter per hostile record");
        for (TestRecord<byte[], byte[]> dead : withHostile.deadLetters()) {
            Input input = hostileBySource.remove(header(dead, DeadLetterHeaders.SOURCE_TOPIC) + "@" + header(dead, DeadLetterHeaders.SOURCE_OFFSET));
            String reason = header(dead, DeadLetterHeaders.ERROR_MESSAGE);
            assertTrue(input != null, "dead letter of a valid record: " + reason);
            input.rejectedFor().ifPresent(field -> assertTrue(reason.startsWith(field) || reason.contains(" is ") && reason.contains("bytes serialized"),
                    "reason '" + reason + "' should name " + field));
        }
    }

    private static byte[] hostileAlert(DriftAlert valid, Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> valid.toBuilder().clearModel().build().toByteArray();
            case 1 -> valid.toBuilder().setModel(ModelRef.newBuilder().setName(HostileInputs.longer(random, 256))).build().toByteArray();
            case 2 -> valid.toBuilder().setStateValue(3 + random.nextInt(100)).build().toByteArray();
            case 3 -> valid.toBuilder().setEmittedAt(Timestamp.newBuilder().setSeconds(Long.MIN_VALUE + random.nextInt(1000))).build().toByteArray();
            case 4 -> HostileInputs.deeplyNested(valid.toByteArray(), 101 + random.nextInt(300));
            default -> ("not an alert " + random.nextInt()).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static Input input(String topic, String key, byte[] value, long timestamp) {
        return new Input(topic, bytes(key), value, timestamp, Optional.empty(), false);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Outcome run(List<Input> inputs, long wallClock) {
        SkippedAlerts skipped = new SkippedAlerts();
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        try (TopologyTestDriver driver = TopologyTestDrivers.open(SamplerTopology.build(SETTINGS, serdes, skipped), SETTINGS.applicationId(), 0,
                Instant.ofEpochMilli(wallClock))) {
            Map<String, TestInputTopic<byte[], byte[]>> topics = new HashMap<>();
            for (String topic : List.of(Topics.LLM_COMPLETIONS_SCREENED.name(), Topics.FEEDBACK_EVENTS.name(), Topics.FEEDBACK_ALERTS.name())) {
                topics.put(topic, driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()));
            }
            for (Input input : inputs) {
                topics.get(input.topic()).pipeInput(input.key(), input.value(), input.timestamp());
            }
            List<EvalSample> samples = driver.createOutputTopic(Topics.EVAL_SAMPLES.name(), new StringDeserializer(),
                    serdes.valueDeserializer(EvalSample.class)).readValuesToList();
            List<TestRecord<byte[], byte[]>> dead = driver.createOutputTopic(SamplerTopology.deadLetterTopic(SETTINGS).name(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            return new Outcome(samples, dead, skipped.count());
        }
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
