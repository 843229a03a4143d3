package io.flywheel.runtime.streams;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stopping a service ends within {@code flywheel.shutdown.timeout}, broker reachable or not. The
 * Streams client is closed first with that bound (it commits what it can; without a broker the
 * transaction is left to abort), keeping its static group membership so a restart takes the same
 * partitions back. The extension's own close that follows waits without a limit, so a watchdog
 * halts the process when the bound has passed; it is not armed in tests, which share one JVM.
 */
@ApplicationScoped
public class BoundedShutdown {

    private static final Logger LOG = Logger.getLogger(BoundedShutdown.class);
    /** Left for the rest of the shutdown (HTTP, gRPC) once the Streams client has had its time. */
    private static final Duration RESERVE = Duration.ofSeconds(1);

    private final KafkaStreams streams;
    private final Duration timeout;

    public BoundedShutdown(KafkaStreams streams, @ConfigProperty(name = "flywheel.shutdown.timeout") Duration timeout) {
        this.streams = streams;
        this.timeout = timeout;
    }

    /** Runs before the Kafka Streams extension's own (unbounded) close. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        long started = System.nanoTime();
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            armWatchdog();
        }
        Duration forStreams = timeout.compareTo(RESERVE.multipliedBy(2)) > 0 ? timeout.minus(RESERVE) : timeout.dividedBy(2);
        boolean closed = streams.close(new KafkaStreams.CloseOptions().timeout(forStreams).leaveGroup(false));
        LOG.infof("Kafka Streams %s in %d ms (bound %s)", closed ? "closed" : "did not close",
                (System.nanoTime() - started) / 1_000_000, forStreams);
    }

    private void armWatchdog() {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            LOG.errorf("shutdown still running after flywheel.shutdown.timeout=%s: halting", timeout);
            Runtime.getRuntime().halt(1);
        }, "flywheel-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
