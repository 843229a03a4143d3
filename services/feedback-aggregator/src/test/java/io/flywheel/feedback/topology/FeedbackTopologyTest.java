package io.flywheel.feedback.topology;

import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import static io.flywheel.feedback.topology.FeedbackEvents.MODEL;
import static io.flywheel.feedback.topology.FeedbackEvents.PROMPT;
import static io.flywheel.feedback.topology.FeedbackEvents.cleared;
import static io.flywheel.feedback.topology.FeedbackEvents.rating;
import static io.flywheel.feedback.topology.FeedbackEvents.regenerated;
import static io.flywheel.feedback.topology.FeedbackEvents.reported;
import static io.flywheel.feedback.topology.FeedbackEvents.thumb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import io.flywheel.testkit.TopologyTestDrivers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every semantic of the aggregator, with the record cache off (0) and on (10 MiB). */
class FeedbackTopologyTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-11-26T10:00:00Z");
    private static final AggregateKey KEY = AggregateKey.allTime(MODEL.getName(), MODEL.getVersion(), PROMPT);
    private static final AggregateKey BUCKET = KEY.bucket(CREATED);

    private TopologyTestDriver driver;
    private TestInputTopic<String, FeedbackEvent> feedback;
    private TestInputTopic<byte[], byte[]> rawFeedback;
    private TestOutputTopic<String, FeedbackAggregate> aggregates;
    private TestOutputTopic<String, DriftAlert> alerts;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(long cacheBytes, AggregatorSettings settings) {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        driver = TopologyTestDrivers.open(FeedbackTopology.build(settings, serdes), settings.applicationId(), cacheBytes, WALL_CLOCK);
        feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new StringSerializer(),
                serdes.valueSerializer(FeedbackEvent.class));
        rawFeedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        aggregates = driver.createOutputTopic(Topics.FEEDBACK_AGGREGATES.name(), new StringDeserializer(),
                serdes.valueDeserializer(FeedbackAggregate.class));
        alerts = driver.createOutputTopic(Topics.FEEDBACK_ALERTS.name(), new StringDeserializer(),
                serdes.valueDeserializer(DriftAlert.class));
        deadLetters = driver.createOutputTopic(FeedbackTopology.deadLetterTopic(settings).name(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static AggregatorSettings settings(Duration retention, DriftDetector drift) {
        return new AggregatorSettings("feedback-aggregator", new CohortBuckets(Duration.ofHours(1), retention),
                Duration.ofMinutes(5), Duration.ofMillis(100), drift);
    }

    private static AggregatorSettings defaults() {
        return settings(Duration.ofHours(1), new DriftDetector(3, 20, 3.0, 1.0));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(FeedbackEvent event, Instant recordTime) {
        feedback.pipeInput(event.getConversationId(), event, recordTime);
    }

    private void send(FeedbackEvent event) {
        send(event, Instant.ofEpochMilli(com.google.protobuf.util.Timestamps.toMillis(event.getOccurredAt())));
    }

    /** Lets the wall-clock punctuator forward the partial sums. */
    private void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(150));
    }

    private Map<String, FeedbackAggregate> latestAggregates() {
        return aggregates.readKeyValuesToMap();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void aVoteChangedUpToDownMovesExactlyOneCount(long cache) {
        start(cache, defaults());
        send(thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(10), true));
        flush();
        send(thumb("f2", "c1", "u1", CREATED, CREATED.plusSeconds(20), false));
        send(thumb("f3", "c1", "u2", CREATED, CREATED.plusSeconds(20), true));
        flush();
        Map<String, FeedbackAggregate> latest = latestAggregates();
        for (AggregateKey key : List.of(KEY, BUCKET)) {
            FeedbackAggregate aggregate = latest.get(key.encode());
            assertEquals(1, aggregate.getThumbsUp(), key.encode());
            assertEquals(1, aggregate.getThumbsDown(), key.encode());
            assertEquals(0.5, aggregate.getApprovalRate(), 1e-12);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void anOlderEventArrivingAfterANewerOneDoesNotOverrideIt(long cache) {
        start(cache, defaults());
        send(rating("f2", "c1", "u1", CREATED, CREATED.plusSeconds(20), 2));
        send(rating("f1", "c1", "u1", CREATED, CREATED.plusSeconds(10), 5), CREATED.plusSeconds(30));
        flush();
        FeedbackAggregate aggregate = latestAggregates().get(KEY.encode());
        assertEquals(1, aggregate.getRatingCount());
        assertEquals(2, aggregate.getRatingSum());
        assertEquals(List.of(0L, 1L, 0L, 0L, 0L), aggregate.getRatingHistogramList());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void aClearAtT2FollowedByAThumbAtT1LeavesNoVote(long cache) {
        start(cache, defaults());
        send(thumb("f0", "c1", "u1", CREATED, CREATED.plusSeconds(5), false));
        flush();
        send(cleared("f2", "c1", "u1", CREATED, CREATED.plusSeconds(20)));
        send(thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(10), true), CREATED.plusSeconds(30));
        flush();
        FeedbackAggregate aggregate = latestAggregates().get(KEY.encode());
        assertEquals(0, aggregate.getThumbsUp());
        assertEquals(0, aggregate.getThumbsDown());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void aRepeatedFeedbackIdChangesNothing(long cache) {
        start(cache, defaults());
        FeedbackEvent up = thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(10), true);
        FeedbackEvent regen = regenerated("f2", "c1", "u1", CREATED, CREATED.plusSeconds(11));
        FeedbackEvent report = reported("f3", "c1", "u1", CREATED, CREATED.plusSeconds(12), "harmful");
        for (int i = 0; i < 3; i++) {
            send(up);
            send(regen);
            send(report);
            flush();
        }
        FeedbackAggregate aggregate = latestAggregates().get(KEY.encode());
        assertEquals(1, aggregate.getThumbsUp());
        assertEquals(1, aggregate.getRegenerations());
        assertEquals(Map.of("harmful", 1L), aggregate.getReportsByReasonMap());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void lateFeedbackUpdatesItsBucketInsideRetentionAndOnlyAllTimeOutside(long cache) {
        start(cache, defaults()); // bucket 10:00–11:00, retention 1 h: open until stream time 12:00
        send(thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(60), true));
        send(thumb("f2", "c2", "u1", CREATED, Instant.parse("2026-11-26T11:59:00Z"), true));
        flush();
        FeedbackAggregate bucket = latestAggregates().get(BUCKET.encode());
        assertEquals(2, bucket.getThumbsUp(), "inside retention the bucket is updated");

        // Stream time moves past 12:00 with another key's feedback; then late feedback for 10:00.
        Instant later = Instant.parse("2026-11-26T12:30:00Z");
        send(thumb("f3", "c9", "u9", later, later, true));
        send(thumb("f4", "c3", "u1", CREATED, later.plusSeconds(1), false));
        flush();
        Map<String, FeedbackAggregate> latest = latestAggregates();
        assertNull(latest.get(BUCKET.encode()), "the closed bucket got no update");
        FeedbackAggregate allTime = latest.get(KEY.encode());
        assertEquals(3, allTime.getThumbsUp());
        assertEquals(1, allTime.getThumbsDown());
        assertEquals(1, allTime.getTooLate());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void futureDatedAndGarbageRecordsGoToTheDeadLetterTopicAndValidOnesCount(long cache) {
        start(cache, defaults());
        send(thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(1), true));
        FeedbackEvent future = thumb("f2", "c2", "u1", CREATED, WALL_CLOCK.plus(Duration.ofHours(1)), false);
        send(future, CREATED.plusSeconds(2));
        byte[] garbage = "not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        rawFeedback.pipeInput("conv-x".getBytes(StandardCharsets.UTF_8), garbage, CREATED.plusSeconds(3));
        send(thumb("f3", "c3", "u1", CREATED, CREATED.plusSeconds(4), true));
        flush();

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        assertArrayEquals(future.toByteArray(), dead.get(0).value());
        assertEquals("InvalidEvent", header(dead.get(0), DeadLetterHeaders.ERROR_CLASS));
        assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR_MESSAGE).startsWith("occurred_at "));
        assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR_MESSAGE).contains("ahead of the wall clock"));
        assertArrayEquals(garbage, dead.get(1).value());
        assertArrayEquals("conv-x".getBytes(StandardCharsets.UTF_8), dead.get(1).key());
        assertEquals(Topics.FEEDBACK_EVENTS.name(), header(dead.get(1), DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("2", header(dead.get(1), DeadLetterHeaders.SOURCE_OFFSET));
        assertNotNull(header(dead.get(1), DeadLetterHeaders.ERROR_MESSAGE));

        assertEquals(2, latestAggregates().get(KEY.encode()).getThumbsUp());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void aDriftAlertFiresOnceAndRecoversOnce(long cache) {
        start(cache, defaults());
        Instant hour0 = Instant.parse("2026-11-26T06:00:00Z");
        int completion = 0;
        // Three baseline buckets at 90 % approval, one bad bucket at 40 %, one good again.
        double[] approval = {0.9, 0.9, 0.9, 0.4, 0.9};
        for (int bucket = 0; bucket < approval.length; bucket++) {
            Instant created = hour0.plus(Duration.ofHours(bucket));
            for (int vote = 0; vote < 100; vote++) {
                boolean up = vote < approval[bucket] * 100;
                String id = "c" + completion++;
                send(thumb("f-" + id, id, "u", created, created.plusSeconds(vote), up));
                flush(); // a flush per vote: the alert must still come once, not once per update
            }
        }
        List<DriftAlert> emitted = alerts.readValuesToList();
        assertEquals(2, emitted.size(), emitted.toString());
        assertEquals(DriftAlert.State.FIRING, emitted.get(0).getState());
        assertEquals(hour0.plus(Duration.ofHours(3)), CohortBuckets.startInstant(emitted.get(0).getBucket()));
        assertTrue(emitted.get(0).getZScore() <= -3.0);
        assertEquals(0.9, emitted.get(0).getBaselineApproval(), 1e-9);
        assertEquals(DriftAlert.State.RECOVERED, emitted.get(1).getState());
        assertEquals(hour0.plus(Duration.ofHours(4)), CohortBuckets.startInstant(emitted.get(1).getBucket()));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void partialSumsWaitForTheFlushAndThenCarryEveryEvent(long cache) {
        start(cache, defaults());
        for (int i = 0; i < 50; i++) {
            send(thumb("f" + i, "c" + i, "u", CREATED, CREATED.plusSeconds(i), i % 5 != 0));
        }
        assertTrue(aggregates.isEmpty(), "nothing is shuffled before the punctuator runs");
        flush();
        List<TestRecord<String, FeedbackAggregate>> out = aggregates.readRecordsToList();
        assertEquals(2, out.size(), "one all-time and one bucket update for 50 events");
        FeedbackAggregate allTime = out.stream().filter(r -> r.key().equals(KEY.encode())).findFirst().orElseThrow().value();
        assertEquals(40, allTime.getThumbsUp());
        assertEquals(10, allTime.getThumbsDown());
        assertFalse(out.stream().anyMatch(r -> r.value().getThumbsUp() < 0));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
