package io.flywheel.feedback.topology;

import static io.flywheel.feedback.topology.FeedbackEvents.thumb;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.testkit.TopologyTestDrivers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The aggregator's domain metrics after known traffic: poison records, late feedback, a drift alert, many users. */
class FeedbackMetricsTest {

    /** Enough to show no series per user; the services' metrics ITs send 10,000 (the driver flushes state per record). */
    private static final int USERS = 300;

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-11-26T10:00:00Z");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, FeedbackEvent> feedback;
    private TestInputTopic<byte[], byte[]> rawFeedback;

    @BeforeEach
    void start() {
        AggregatorSettings settings = new AggregatorSettings(AggregatorSettings.DEFAULT_APPLICATION_ID,
                new CohortBuckets(Duration.ofHours(1), Duration.ofHours(1)), Duration.ofMinutes(5), Duration.ofMillis(100),
                new DriftDetector(3, 20, 3.0, 1.0));
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        driver = TopologyTestDrivers.open(FeedbackTopology.build(settings, serdes, new FeedbackMetrics(registry)),
                settings.applicationId(), 0, WALL_CLOCK);
        feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new StringSerializer(),
                serdes.valueSerializer(FeedbackEvent.class));
        rawFeedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void send(FeedbackEvent event, Instant recordTime) {
        feedback.pipeInput(event.getConversationId(), event, recordTime);
    }

    private void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(150));
    }

    private double count(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void countsUpdatesLateDeltasAndDeadLettersByReason() {
        send(thumb("f1", "c1", "u1", CREATED, CREATED.plusSeconds(60), true), CREATED.plusSeconds(60));
        flush();
        assertEquals(1, count("flywheel.feedback.aggregates.updated", "scope", "all_time"));
        assertEquals(1, count("flywheel.feedback.aggregates.updated", "scope", "bucket"));
        assertEquals(2, count("flywheel.records.out", "topic", Topics.FEEDBACK_AGGREGATES.name()));

        // Stream time past the bucket's retention, then feedback for that bucket: too late.
        Instant later = Instant.parse("2026-11-26T12:30:00Z");
        send(thumb("f2", "c9", "u9", later, later, true), later);
        send(thumb("f3", "c2", "u1", CREATED, later.plusSeconds(1), false), later.plusSeconds(1));
        FeedbackEvent future = thumb("f4", "c4", "u1", CREATED, WALL_CLOCK.plus(Duration.ofHours(1)), true);
        send(future, later);
        rawFeedback.pipeInput("conv-x".getBytes(StandardCharsets.UTF_8), "not protobuf".getBytes(StandardCharsets.UTF_8), later);
        flush();

        assertEquals(1, count("flywheel.feedback.late.deltas"));
        assertEquals(5, count("flywheel.records.in", "topic", Topics.FEEDBACK_EVENTS.name()));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.FEEDBACK_EVENTS.name(), "reason", "invalid_event"));
        assertEquals(1, count("flywheel.records.dead.lettered", "topic", Topics.FEEDBACK_EVENTS.name(), "reason", "undecodable"));
    }

    @Test
    void countsDriftAlertsByState() {
        Instant hour0 = Instant.parse("2026-11-26T06:00:00Z");
        double[] approval = {0.9, 0.9, 0.9, 0.4, 0.9};
        int completion = 0;
        for (int bucket = 0; bucket < approval.length; bucket++) {
            Instant created = hour0.plus(Duration.ofHours(bucket));
            for (int vote = 0; vote < 100; vote++) {
                String id = "c" + completion++;
                send(thumb("f-" + id, id, "u", created, created.plusSeconds(vote), vote < approval[bucket] * 100), created.plusSeconds(vote));
            }
            flush();
        }
        assertEquals(1, count("flywheel.feedback.drift.alerts", "state", "firing"));
        assertEquals(1, count("flywheel.feedback.drift.alerts", "state", "recovered"));
        assertEquals(2, count("flywheel.records.out", "topic", Topics.FEEDBACK_ALERTS.name()));
    }

    @Test
    void moreDistinctUsersAddNoSeries() {
        send(thumb("w1", "w1", "warm", CREATED, CREATED.plusSeconds(1), true), CREATED.plusSeconds(1));
        rawFeedback.pipeInput("conv-x".getBytes(StandardCharsets.UTF_8), "not protobuf".getBytes(StandardCharsets.UTF_8), CREATED);
        flush();
        int series = registry.getMeters().size();

        for (int i = 0; i < USERS; i++) {
            send(thumb("f" + i, "c" + i, "user-" + i, CREATED, CREATED.plusSeconds(2), i % 3 != 0), CREATED.plusSeconds(2));
        }
        flush();

        assertEquals(series, registry.getMeters().size());
        assertEquals(USERS + 2, count("flywheel.records.in", "topic", Topics.FEEDBACK_EVENTS.name()));
    }
}
