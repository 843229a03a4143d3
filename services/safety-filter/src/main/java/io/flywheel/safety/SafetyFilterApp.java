package io.flywheel.safety;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.safety.config.SafetyConfig;
import io.flywheel.safety.topology.ActivePolicySet;
import io.flywheel.safety.topology.SafetySettings;
import io.flywheel.safety.topology.SafetyTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
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

    /** This instance's policy set, with gauges so skipped (bad) policies show on /q/metrics. */
    @Produces
    @Singleton
    ActivePolicySet activePolicies(MeterRegistry metrics) {
        ActivePolicySet active = new ActivePolicySet();
        Gauge.builder("flywheel.safety.policies.skipped", active, a -> a.get().skipped().size())
                .description("safety.policies records not in force because they failed validation").register(metrics);
        Gauge.builder("flywheel.safety.policies.active", active, a -> a.get().rules().size())
                .description("rules in force").register(metrics);
        Gauge.builder("flywheel.safety.policies.disabled", active, a -> a.get().disabled().size())
                .description("policies switched off with enabled=false").register(metrics);
        return active;
    }

    @Produces
    Topology topology(SafetySettings settings, ProtobufSerdes serdes, ActivePolicySet active) {
        return SafetyTopology.build(settings, serdes, active);
    }
}
