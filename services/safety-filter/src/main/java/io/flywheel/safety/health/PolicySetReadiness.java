package io.flywheel.safety.health;

import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.topology.ActivePolicySet;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The policy set in force, on {@code /q/health/ready}. A degraded instance (a stored policy record
 * waits for the schema registry) stays UP with {@code degraded: true}: it still screens every
 * completion with the last set it could read, and taking every instance out of service during a
 * registry outage would stop the queries without making screening any safer.
 */
@Readiness
@ApplicationScoped
public class PolicySetReadiness implements HealthCheck {

    private final ActivePolicySet active;

    public PolicySetReadiness(ActivePolicySet active) {
        this.active = active;
    }

    @Override
    public HealthCheckResponse call() {
        PolicySet set = active.get();
        return HealthCheckResponse.named("safety-policy-set")
                .up()
                .withData("revision", set.revision())
                .withData("degraded", set.degraded())
                .withData("pending", set.pending().size())
                .build();
    }
}
