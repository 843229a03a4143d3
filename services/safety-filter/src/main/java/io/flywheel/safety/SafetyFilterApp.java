package io.flywheel.safety;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.safety.config.SafetyConfig;
import io.flywheel.safety.topology.ActivePolicySet;
import io.flywheel.safety.topology.SafetyMetrics;
import io.flywheel.safety.topology.SafetySettings;
import io.flywheel.safety.topology.SafetyTopology;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the topology to its configuration; Quarkus runs it. */
@ApplicationScoped
public class SafetyFilterApp {

    @Produces
    @Singleton
    SafetySettings settings(SafetyConfig config,
                            @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        return config.toSettings(applicationId);
    }

    @Produces
    @Singleton
    SafetyMetrics metrics(MeterRegistry registry) {
        return new SafetyMetrics(registry);
    }

    /** This instance's policy set, with gauges so the revision and skipped (bad) policies show on /q/metrics. */
    @Produces
    @Singleton
    ActivePolicySet activePolicies(SafetyMetrics metrics) {
        ActivePolicySet active = new ActivePolicySet();
        metrics.watch(active);
        return active;
    }

    /** Dead-letters bad safety.policies records once, beside the global store that skips them. */
    @Produces
    @Singleton
    IntakeCheck policyIntakeCheck(SafetyConfig config, StreamsConfig streams, SafetySettings settings, ProtobufSerdes serdes,
                                  SafetyMetrics metrics) {
        return SafetyTopology.policyIntakeCheck(config.intakeCheck().enabled(), streams, settings, serdes, metrics);
    }

    /** One topology per process: each build hands out serializers whose schemas are resolved at start. */
    @Produces
    @Singleton
    Topology topology(SafetySettings settings, ProtobufSerdes serdes, ActivePolicySet active, SafetyMetrics metrics) {
        return SafetyTopology.build(settings, serdes, active, metrics);
    }
}
