package io.flywheel.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamsEnvironmentConfigSourceTest {

    @Test
    void streamsAndClientSettingsKeepTheirKafkaNames() {
        Map<String, String> properties = StreamsEnvironmentConfigSource.properties(Map.of(
                "KAFKA_STREAMS_NUM_STREAM_THREADS", "2",
                "KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "10000",
                "KAFKA_STREAMS_PRODUCER_LINGER_MS", "5",
                "KAFKA_STREAMS_MAIN_CONSUMER_MAX_POLL_RECORDS", "500",
                "KAFKA_STREAMS_FLYWHEEL_ROCKSDB_CACHE_BYTES", "33554432"));

        assertEquals(Map.of(
                "kafka-streams.num.stream.threads", "2",
                "kafka-streams.consumer.session.timeout.ms", "10000",
                "kafka-streams.producer.linger.ms", "5",
                "kafka-streams.main.consumer.max.poll.records", "500",
                "kafka-streams.flywheel.rocksdb.cache-bytes", "33554432"), properties);
    }

    @Test
    void namesKafkaDoesNotKnowAndOtherVariablesAreLeftAlone() {
        Map<String, String> properties = StreamsEnvironmentConfigSource.properties(Map.of(
                "KAFKA_STREAMS_STATE_DIRS", "a typo",
                "QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "not mine",
                "KAFKA_STREAMS_", "empty suffix",
                "PATH", "/usr/bin"));

        assertEquals(Map.of(), properties);
    }

    @Test
    void itRanksWithTheEnvironment() {
        assertEquals(300, new StreamsEnvironmentConfigSource(Map.of()).getOrdinal());
    }
}
