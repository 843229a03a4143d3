package io.flywheel.runtime.metrics;

import io.flywheel.runtime.streams.StreamsLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code flywheel_streams_running}: 1 while the Kafka Streams client is RUNNING, else 0 (starting,
 * rebalancing, failed, stopping), the signal of the "not running" alert.
 */
@ApplicationScoped
public class StreamsStateGauge {

    void register(@Observes StartupEvent event, MeterRegistry registry, StreamsLifecycle lifecycle) {
        Gauge.builder("flywheel.streams.running", lifecycle, l -> l.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while the Kafka Streams client is RUNNING, else 0").register(registry);
    }
}
