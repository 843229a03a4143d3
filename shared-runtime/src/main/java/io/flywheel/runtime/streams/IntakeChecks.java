package io.flywheel.runtime.streams;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Runs the service's {@link IntakeCheck}s (none in a service without a global topic): each starts
 * once the main client first reaches RUNNING (its topics exist then), is closed by
 * {@link BoundedShutdown} within the service's bound, and shows in readiness, which it turns
 * DOWN only when it has failed.
 */
@ApplicationScoped
public class IntakeChecks {

    private final List<IntakeCheck> checks;

    public IntakeChecks(Instance<IntakeCheck> checks) {
        this.checks = checks.stream().toList();
    }

    void start(@Observes StartupEvent event, StreamsLifecycle lifecycle) {
        if (checks.stream().anyMatch(IntakeCheck::enabled)) {
            // Off the stream thread that reports RUNNING: building a client takes a moment.
            lifecycle.whenRunning(() -> new Thread(() -> checks.forEach(IntakeCheck::start), "intake-check-start").start());
        }
    }

    /** Begins closing every check without waiting, so they close alongside the main client. */
    void beginClose() {
        checks.forEach(check -> check.close(Duration.ZERO));
    }

    /** Waits for the checks to close, {@code timeout} in all. */
    void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (IntakeCheck check : checks) {
            check.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck intakeChecksReady() {
        return () -> {
            HealthCheckResponseBuilder response = HealthCheckResponse.named("intake-checks")
                    .status(checks.stream().noneMatch(IntakeCheck::failed));
            checks.forEach(check -> response.withData(check.applicationId(),
                    check.enabled() ? check.state().name() : "disabled"));
            return response.build();
        };
    }
}
