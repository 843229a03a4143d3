package io.flywheel.runtime.streams;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stopping a service ends within {@code flywheel.shutdown.timeout} of the signal, broker reachable
 * or not. The Streams client (and, alongside it, any {@link IntakeCheck}) is closed first with what
 * is left of that bound (it commits what it can; without a broker the open transaction is left to abort), keeping its static group
 * membership so a restart takes the same partitions back. The extension's own close that follows
 * waits without a limit, so a watchdog, started by a JVM shutdown hook the moment the signal
 * arrives, halts the process when the bound has passed. It is not armed in tests, which share one JVM.
 */
@ApplicationScoped
public class BoundedShutdown {

    private static final Logger LOG = Logger.getLogger(BoundedShutdown.class);
    /** Left for the rest of the shutdown (HTTP, gRPC) once the Streams client has had its time. */
    private static final Duration RESERVE = Duration.ofSeconds(2);
    /** The watchdog halts this long before the bound, so the process is gone by then. */
    private static final Duration EXIT_MARGIN = Duration.ofMillis(500);

    private final KafkaStreams streams;
    private final IntakeChecks intakeChecks;
    private final Duration timeout;
    /** When the stop signal arrived (0: not known, e.g. in tests: the bound counts from the shutdown event). */
    private volatile long signalledAtNanos;

    public BoundedShutdown(KafkaStreams streams, IntakeChecks intakeChecks,
                           @ConfigProperty(name = "flywheel.shutdown.timeout") Duration timeout) {
        this.streams = streams;
        this.intakeChecks = intakeChecks;
        this.timeout = timeout;
    }

    void arm(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::startWatchdog, "flywheel-shutdown-signal"));
        }
    }

    /** Runs before the Kafka Streams extension's own (unbounded) close. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        long started = System.nanoTime();
        long signalled = signalledAtNanos == 0 ? started : signalledAtNanos;
        Duration left = timeout.minusNanos(started - signalled).minus(RESERVE);
        Duration forStreams = left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
        intakeChecks.beginClose();
        boolean closed = streams.close(new KafkaStreams.CloseOptions().timeout(forStreams).leaveGroup(false));
        intakeChecks.close(forStreams.minusNanos(System.nanoTime() - started));
        LOG.infof("Kafka Streams %s in %d ms (bound %d ms)", closed ? "closed" : "did not close",
                (System.nanoTime() - started) / 1_000_000, forStreams.toMillis());
    }

    /** On the signal: a daemon thread that halts the process just before the bound (it never delays an exit). */
    private void startWatchdog() {
        signalledAtNanos = System.nanoTime();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(Math.max(0, timeout.minus(EXIT_MARGIN).toMillis()));
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
