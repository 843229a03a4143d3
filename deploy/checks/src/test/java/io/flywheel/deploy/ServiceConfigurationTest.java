package io.flywheel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment variables a service reads, as Quarkus maps them to the keys the service's jar declares. */
class ServiceConfigurationTest {

    private final ServiceConfiguration aggregator = ServiceConfiguration.of("feedback-aggregator");
    private final ServiceConfiguration sampler = ServiceConfiguration.of("eval-sampler");

    @Test
    void readsKeysOfItsPropertiesFilesItsMappingsAndTheSharedOnes() {
        assertTrue(aggregator.reads("KAFKA_STREAMS_STATE_DIR"), "application.properties");
        assertTrue(aggregator.reads("KAFKA_STREAMS_NUM_STANDBY_REPLICAS"), "shared microprofile-config.properties");
        assertTrue(aggregator.reads("FLYWHEEL_AGGREGATOR_DRIFT_FIRE_Z"), "nested group of AggregatorConfig");
        assertTrue(aggregator.reads("FLYWHEEL_QUERY_AUTH_TOKEN"), "shared QueryConfig");
        assertTrue(aggregator.reads("FLYWHEEL_REGISTRY_SERDE_APICURIO_REGISTRY_AUTH_USERNAME"), "map of RegistryConfig");
        assertTrue(sampler.reads("FLYWHEEL_SAMPLER_STRATA_GPT_4O_BASE_RATE"), "map of groups of SamplerConfig");
        assertTrue(aggregator.reads("FLYWHEEL_INSTANCE_ID"), "referred to by kafka-streams.group.instance.id's value");
        assertTrue(aggregator.reads("KAFKA_STREAMS_NUM_STREAM_THREADS"), "a Kafka Streams setting no file names");
        assertTrue(aggregator.reads("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS"), "a consumer setting of Kafka Streams");
    }

    @Test
    void readsNoMisspelledKeyNorAnotherServicesKey() {
        assertFalse(aggregator.reads("FLYWHEEL_REGISTRY_ULR"));
        assertFalse(aggregator.reads("KAFKA_STREAMS_STATE_DIRS"));
        assertFalse(aggregator.reads("FLYWHEEL_SAMPLER_SALT"));
        assertFalse(sampler.reads("FLYWHEEL_SAMPLER_STRATA_BASE_RATE"), "a map key needs a name");
    }

    @Test
    void resolvesAValueFromTheEnvironmentFirstThenItsFiles() {
        assertEquals("localhost:18090", aggregator.value("quarkus.kafka-streams.application-server", Map.of()).orElseThrow());
        assertEquals("localhost:8080",
                aggregator.value("quarkus.kafka-streams.application-server", Map.of("QUARKUS_HTTP_PORT", "8080")).orElseThrow());
        assertEquals("200", aggregator.value("kafka-streams.commit.interval.ms", Map.of()).orElseThrow());
        assertEquals("2", aggregator.value("kafka-streams.num.stream.threads", Map.of("KAFKA_STREAMS_NUM_STREAM_THREADS", "2")).orElseThrow());
    }
}
