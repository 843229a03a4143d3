package io.flywheel.sampler;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.sampler.config.SamplerConfig;
import io.flywheel.sampler.sampling.ConversationDraw;
import io.flywheel.sampler.topology.SamplerMetrics;
import io.flywheel.sampler.topology.SamplerSettings;
import io.flywheel.sampler.topology.SamplerTopology;
import io.flywheel.sampler.topology.SkippedAlerts;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Wires the topology to its configuration; Quarkus runs it. */
@ApplicationScoped
public class EvalSamplerApp {

    private static final Logger LOG = Logger.getLogger(EvalSamplerApp.class);
    /** The salt application.properties ships for the local mesh. */
    static final String DEVELOPMENT_SALT = "flywheel-local-development-salt";

    @Produces
    @Singleton
    SamplerSettings settings(SamplerConfig config,
                             @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        SamplerSettings settings = config.toSettings(applicationId);
        String fingerprint = new ConversationDraw(settings.policy().salt()).saltFingerprint();
        if (DEVELOPMENT_SALT.equals(config.salt())) {
            LOG.warnf("flywheel.sampler.salt is the development salt (fingerprint %s): set FLYWHEEL_SAMPLER_SALT "
                    + "to a secret of this deployment", fingerprint);
        } else {
            LOG.infof("sampling with salt fingerprint %s", fingerprint);
        }
        return settings;
    }

    @Produces
    @Singleton
    SkippedAlerts skippedAlerts() {
        return new SkippedAlerts();
    }

    @Produces
    @Singleton
    SamplerMetrics metrics(MeterRegistry registry, SkippedAlerts skippedAlerts) {
        SamplerMetrics metrics = new SamplerMetrics(registry);
        metrics.watch(skippedAlerts);
        return metrics;
    }

    /** Dead-letters bad feedback.alerts records once, beside the global store that skips them. */
    @Produces
    @Singleton
    IntakeCheck alertIntakeCheck(SamplerConfig config, StreamsConfig streams, SamplerSettings settings, ProtobufSerdes serdes,
                                 SamplerMetrics metrics) {
        return SamplerTopology.alertIntakeCheck(config.intakeCheck().enabled(), streams, settings, serdes, metrics);
    }

    /** One topology per process: each build hands out serializers whose schemas are resolved at start. */
    @Produces
    @Singleton
    Topology topology(SamplerSettings settings, ProtobufSerdes serdes, SkippedAlerts skippedAlerts, SamplerMetrics metrics) {
        return SamplerTopology.build(settings, serdes, skippedAlerts, metrics);
    }
}
