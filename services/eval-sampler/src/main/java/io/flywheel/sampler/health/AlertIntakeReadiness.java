package io.flywheel.sampler.health;

import io.flywheel.sampler.topology.SkippedAlerts;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The {@code feedback.alerts} intake on {@code /q/health/ready}. An instance with alerts waiting
 * for the schema registry stays UP with {@code degraded: true}: it samples on with the alerts it
 * could read, and taking every instance out of service during a registry outage would stop the
 * queries without making sampling any better.
 */
@Readiness
@ApplicationScoped
public class AlertIntakeReadiness implements HealthCheck {

    private final SkippedAlerts unapplied;

    public AlertIntakeReadiness(SkippedAlerts unapplied) {
        this.unapplied = unapplied;
    }

    @Override
    public HealthCheckResponse call() {
        int pending = unapplied.pendingCount();
        return HealthCheckResponse.named("sampler-drift-alerts")
                .up()
                .withData("degraded", pending > 0)
                .withData("pending", pending)
                .withData("skipped", unapplied.count())
                .build();
    }
}
