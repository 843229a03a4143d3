package io.flywheel.sampler.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.testkit.TopologyTestDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake check of feedback.alerts: an alert that breaks the contract (out-of-range or
 * far-future emitted_at, no model, unknown state, garbage, no key, a tombstone that names no model
 * key) is dead-lettered once with its bytes and a reason naming the field; valid alerts and
 * tombstones are not; and it dead-letters exactly as many records as the global processor skips.
 */
class AlertIntakeCheckTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-26T12:00:00Z");
    private static final SamplerSettings SETTINGS = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID, SamplerTopologyTest.POLICY);
    private static final ProtobufSerdes SERDES = ProtobufSerdes.withoutRegistry();
    private static final String KEY = AggregateKey.allTime("gpt-a", "v1", SamplerEvents.PROMPT).encode();

    @TempDir
    Path stateDir;

    private static KeyValue<byte[], byte[]> record(String key, DriftAlert value) {
        return KeyValue.pair(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.toByteArray());
    }

    private static DriftAlert alert(long emittedAtMs) {
        return SamplerEvents.alert("gpt-a", DriftAlert.State.FIRING, emittedAtMs);
    }

    /** Offset by offset: valid, tombstone, out-of-range emitted_at, 2100, no model, unknown state, garbage, no key, bad tombstone key. */
    private static List<KeyValue<byte[], byte[]>> records() {
        long now = WALL_CLOCK.toEpochMilli();
        return List.of(
                record(KEY, alert(now - 60_000)),
                record(KEY, null),
                record(KEY, alert(now).toBuilder().setEmittedAt(Timestamp.newBuilder().setSeconds(253_402_300_800L)).build()),
                record(KEY, alert(Instant.parse("2100-01-01T00:00:00Z").toEpochMilli())),
                record(KEY, alert(now).toBuilder().clearModel().build()),
                record(KEY, alert(now).toBuilder().setStateValue(9).build()),
                KeyValue.pair(KEY.getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8)),
                record(null, alert(now)),
                record("not-a-model-key", null));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void badAlertsAreDeadLetteredOnceWithTheirBytesAndAReasonNamingTheField() {
        StreamsConfig service = new StreamsConfig(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, SETTINGS.applicationId(),
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1", StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
        IntakeCheck check = SamplerTopology.alertIntakeCheck(true, service, SETTINGS, SERDES, new SamplerMetrics(new SimpleMeterRegistry()));
        assertEquals("eval-sampler-alert-intake", check.applicationId());

        List<TestRecord<byte[], byte[]>> dead;
        try (TopologyTestDriver driver = TopologyTestDrivers.open(check.topology(), check.applicationId(), 0, WALL_CLOCK)) {
            var input = driver.createInputTopic(Topics.FEEDBACK_ALERTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
            records().forEach(record -> input.pipeInput(record.key, record.value));
            dead = driver.createOutputTopic(SamplerTopology.deadLetterTopic(SETTINGS).name(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()).readRecordsToList();
        }

        assertEquals(List.of("2", "3", "4", "5", "6", "7", "8"), dead.stream().map(d -> header(d, DeadLetterHeaders.SOURCE_OFFSET)).toList());
        List<KeyValue<byte[], byte[]>> sent = records();
        for (TestRecord<byte[], byte[]> letter : dead) {
            KeyValue<byte[], byte[]> original = sent.get(Integer.parseInt(header(letter, DeadLetterHeaders.SOURCE_OFFSET)));
            assertArrayEquals(original.key, letter.key());
            assertArrayEquals(original.value, letter.value());
            assertEquals("eval-sampler-alert-intake", header(letter, DeadLetterHeaders.APPLICATION_ID));
        }
        assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR_MESSAGE).startsWith("emitted_at (seconds=253402300800"));
        assertTrue(header(dead.get(1), DeadLetterHeaders.ERROR_MESSAGE).startsWith("emitted_at 2100-01-01T00:00:00Z is more than PT5M ahead"));
        assertTrue(header(dead.get(2), DeadLetterHeaders.ERROR_MESSAGE).startsWith("model.name"));
        assertTrue(header(dead.get(3), DeadLetterHeaders.ERROR_MESSAGE).startsWith("state"));
        assertTrue(header(dead.get(4), DeadLetterHeaders.ERROR_CLASS).endsWith("Exception"), "undecodable: the parser's exception");
        assertEquals("MissingKey", header(dead.get(5), DeadLetterHeaders.ERROR_CLASS));
        assertTrue(header(dead.get(6), DeadLetterHeaders.ERROR_MESSAGE).startsWith("key 'not-a-model-key'"));

        // The global processor skips the same records, and only those.
        SkippedAlerts skipped = new SkippedAlerts();
        try (TopologyTestDriver driver = TopologyTestDrivers.open(SamplerTopology.build(SETTINGS, SERDES, skipped),
                SETTINGS.applicationId(), 0, WALL_CLOCK)) {
            var input = driver.createInputTopic(Topics.FEEDBACK_ALERTS.name(), new ByteArraySerializer(), new ByteArraySerializer());
            records().forEach(record -> input.pipeInput(record.key, record.value));
        }
        assertEquals(dead.size(), skipped.count());
    }
}
