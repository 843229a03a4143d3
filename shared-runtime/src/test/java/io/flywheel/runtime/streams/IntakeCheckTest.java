package io.flywheel.runtime.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.RecordValidator;
import io.flywheel.runtime.metrics.RecordFlow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntakeCheckTest {

    @TempDir
    Path stateDir;

    private IntakeCheck check(boolean enabled) {
        StreamsConfig service = new StreamsConfig(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, "svc",
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9093",
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString(),
                StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:18091",
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, 4,
                StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1));
        return IntakeCheck.of("event-intake", enabled, service, Topics.FEEDBACK_EVENTS,
                ProtobufSerdes.withoutRegistry().valueDeserializer(FeedbackEvent.class), RecordValidator.acceptAll(),
                Topics.deadLetter("svc", false), new RecordFlow(new SimpleMeterRegistry()));
    }

    @Test
    void takesTheServicesSettingsWithItsOwnIdStateDirectoryAndOneThread() {
        Map<Object, Object> settings = check(true).settings();
        assertEquals("svc-event-intake", settings.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(stateDir.resolve("event-intake").toString(), settings.get(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals("broker:9093", settings.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, settings.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals(1, settings.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals(0, settings.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertFalse(settings.containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG), "it serves no queries");
    }

    @Test
    void aDisabledCheckNeverStartsAndIsNeverFailed() {
        IntakeCheck check = check(false);
        check.start();
        assertEquals(KafkaStreams.State.CREATED, check.state());
        assertFalse(check.failed());
        assertTrue(check.close(Duration.ZERO));
    }
}
