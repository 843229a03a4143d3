package io.flywheel.feedback.topology;

import io.flywheel.testkit.TopologyTestDrivers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * feedback.events under hostile input: valid events mixed with hostile but decodable ones and
 * exact repeats. No exception escapes the topology, each hostile record is dead-lettered once
 * with a reason naming its field, and the aggregates equal those of the valid events alone.
 * 20 tries × 600 records = 12,000 generated records per build.
 */
class HostileFeedbackPropertyTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final int RECORDS_PER_TRY = 600;
    private static final AggregatorSettings SETTINGS = new AggregatorSettings("feedback-aggregator",
            new CohortBuckets(Duration.ofHours(1), Duration.ofDays(7)), Duration.ofMinutes(5), Duration.ofMillis(100),
            new DriftDetector(3, 20, 3.0, 1.0));

    /** One input record: its key, value bytes, record time, and the field its rejection must name (null: kept). */
    /** 20 runs on every build, each from its own seed (named in the test report, so a failure can be replayed). */
    static LongStream seeds() {
        return new Random().longs(20);
    }

    private record Input(String key, byte[] value, long timestamp, Optional<String> rejectedFor, boolean mustBeRejected) {
    }

    private record Outcome(Map<String, FeedbackAggregate> aggregates, List<TestRecord<byte[], byte[]>> deadLetters) {
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void hostileRecordsAreDeadLetteredOnceAndLeaveTheAggregatesOfValidOnesUnchanged(long seed) {
        Random random = new Random(seed);
        List<Input> valid = new ArrayList<>();
        List<Input> mixed = new ArrayList<>();
        long time = WALL_CLOCK.minus(Duration.ofHours(6)).toEpochMilli();
        while (mixed.size() < RECORDS_PER_TRY) {
            time += random.nextInt(20_000);
            FeedbackEvent event = validEvent(random, time);
            Input input = new Input(event.getConversationId(), event.toByteArray(), time, Optional.empty(), false);
            valid.add(input);
            mixed.add(input);
            int roll = random.nextInt(4);
            if (roll == 0) {
                HostileInputs.Hostile hostile = hostile(event, random);
                mixed.add(new Input(event.getConversationId(), hostile.value(), time, hostile.field(), true));
            } else if (roll == 1) {
                mixed.add(input);
            }
        }
        Outcome alone = run(valid);
        Outcome withHostile = run(mixed);

        assertEquals(0, alone.deadLetters().size(), "valid events are never dead-lettered");
        assertEquals(alone.aggregates(), withHostile.aggregates(), "hostile records and repeats change no aggregate");
        Map<Long, Input> rejectedByOffset = new HashMap<>();
        for (int offset = 0; offset < mixed.size(); offset++) {
            if (mixed.get(offset).mustBeRejected()) {
                rejectedByOffset.put((long) offset, mixed.get(offset));
            }
        }
        assertEquals(rejectedByOffset.size(), withHostile.deadLetters().size(), "one dead letter per hostile record");
        for (TestRecord<byte[], byte[]> dead : withHostile.deadLetters()) {
            long offset = Long.parseLong(header(dead, DeadLetterHeaders.SOURCE_OFFSET));
            Input input = rejectedByOffset.remove(offset);
            assertTrue(input != null, "dead letter for offset " + offset + " which was not hostile: " + header(dead, DeadLetterHeaders.ERROR_MESSAGE));
            String reason = header(dead, DeadLetterHeaders.ERROR_MESSAGE);
            input.rejectedFor().ifPresent(field -> assertTrue(reason.startsWith(field) || reason.startsWith("feedback event is "),
                    "reason '" + reason + "' should name " + field));
        }
    }

    private static HostileInputs.Hostile hostile(FeedbackEvent event, Random random) {
        // Rules of the aggregator beyond the shared contract.
        return switch (random.nextInt(12)) {
            case 0 -> new HostileInputs.Hostile(event.toBuilder().clearUserId().build().toByteArray(), Optional.of("user_id"));
            case 1 -> new HostileInputs.Hostile(event.toBuilder().clearModel().build().toByteArray(), Optional.of("model.name"));
            case 2 -> new HostileInputs.Hostile(event.toBuilder().clearCompletionCreatedAt().build().toByteArray(),
                    Optional.of("completion_created_at"));
            default -> HostileInputs.feedback(event, random, WALL_CLOCK.toEpochMilli());
        };
    }

    /** Votes, ratings, clears and counted-once signals on a few completions, users and models (odd but valid names). */
    private static FeedbackEvent validEvent(Random random, long occurredAtMs) {
        int completion = random.nextInt(40);
        String conversation = "conv-" + completion % 13;
        long createdAtMs = WALL_CLOCK.minus(Duration.ofHours(7)).toEpochMilli() + completion * 60_000L;
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                .setFeedbackId("f-" + random.nextLong())
                .setConversationId(conversation)
                .setCompletionId("c-" + completion)
                .setUserId(random.nextInt(10) == 0 ? HostileInputs.odd(random) : "u-" + random.nextInt(5))
                .setModel(ModelRef.newBuilder().setName(completion % 3 == 0 ? "名前/model" : "gpt-" + completion % 2).setVersion("v1"))
                .setPromptVersion(completion % 5 == 0 ? "" : "p1")
                .setCompletionCreatedAt(Timestamps.fromMillis(createdAtMs))
                .setOccurredAt(Timestamps.fromMillis(occurredAtMs));
        switch (random.nextInt(6)) {
            case 0, 1 -> event.setThumb(random.nextBoolean() ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN);
            case 2 -> event.setRating(1 + random.nextInt(5));
            case 3 -> event.setCleared(FeedbackEvent.Cleared.getDefaultInstance());
            case 4 -> event.setRegenerated(FeedbackEvent.Regenerated.getDefaultInstance());
            default -> event.setReported(FeedbackEvent.Reported.newBuilder().setReason(random.nextBoolean() ? "harmful" : ""));
        }
        return event.build();
    }

    private static Outcome run(List<Input> inputs) {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        try (TopologyTestDriver driver = TopologyTestDrivers.open(FeedbackTopology.build(SETTINGS, serdes), SETTINGS.applicationId(), 0, WALL_CLOCK)) {
            TestInputTopic<byte[], byte[]> feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            for (Input input : inputs) {
                feedback.pipeInput(input.key().getBytes(StandardCharsets.UTF_8), input.value(), input.timestamp());
            }
            driver.advanceWallClockTime(Duration.ofMillis(150));
            TestOutputTopic<String, FeedbackAggregate> aggregates = driver.createOutputTopic(Topics.FEEDBACK_AGGREGATES.name(),
                    new StringDeserializer(), serdes.valueDeserializer(FeedbackAggregate.class));
            TestOutputTopic<byte[], byte[]> deadLetters = driver.createOutputTopic(FeedbackTopology.deadLetterTopic(SETTINGS).name(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Map<String, FeedbackAggregate> latest = new HashMap<>();
            aggregates.readKeyValuesToList().forEach(kv -> latest.put(kv.key, kv.value.toBuilder().clearUpdatedAt().build()));
            return new Outcome(latest, deadLetters.readRecordsToList());
        }
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
