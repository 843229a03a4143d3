package io.flywheel.runtime.health;

import io.flywheel.runtime.streams.StreamsLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: RUNNING has been reached and the client has not failed, so a rebalance does not
 * make every pod unready at once. Liveness fails only when the client is dead (ERROR), never
 * because topics are missing, which would restart-loop pods.
 */
@ApplicationScoped
public class StreamsHealthChecks {

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck streamsReady(StreamsLifecycle lifecycle) {
        return () -> HealthCheckResponse.named("kafka-streams-ready")
                .status(lifecycle.hasReachedRunning() && !lifecycle.isFailed())
                .withData("state", lifecycle.state().name())
                .withData("reachedRunning", lifecycle.hasReachedRunning())
                .build();
    }

    @Produces
    @Liveness
    @ApplicationScoped
    HealthCheck streamsAlive(StreamsLifecycle lifecycle) {
        return () -> HealthCheckResponse.named("kafka-streams-alive")
                .status(!lifecycle.isFailed())
                .withData("state", lifecycle.state().name())
                .build();
    }
}
