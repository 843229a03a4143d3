package io.flywheel.feedback;

import io.flywheel.feedback.config.AggregatorConfig;
import io.flywheel.feedback.topology.AggregatorSettings;
import io.flywheel.feedback.topology.FeedbackMetrics;
import io.flywheel.feedback.topology.FeedbackTopology;
import io.flywheel.model.ProtobufSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the topology to its configuration; Quarkus runs it. */
@ApplicationScoped
public class FeedbackAggregatorApp {

    @Produces
    @Singleton
    AggregatorSettings settings(AggregatorConfig config,
                                @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        return config.toSettings(applicationId);
    }

    /** One topology per process: each build hands out serializers whose schemas are resolved at start. */
    @Produces
    @Singleton
    Topology topology(AggregatorSettings settings, ProtobufSerdes serdes, MeterRegistry registry) {
        return FeedbackTopology.build(settings, serdes, new FeedbackMetrics(registry));
    }
}
