package io.flywheel.runtime.streams;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.runtime.config.RegistryConfig;
import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Resolves the schema id of every type the service writes before Kafka Streams starts, through
 * the serializers the topology writes with ({@link ProtobufSerdes#resolveOutputSchemas()}). Their
 * cache then serves every write for the life of the process, so a registry outage never fails a
 * write and never costs a stream-thread replacement (a dirty close under exactly-once). While the
 * registry is unreachable the start waits, up to {@code flywheel.registry.startup-patience}, then
 * fails with a message; refused credentials or TLS, or a schema the registry rejects, fail it at once.
 */
@ApplicationScoped
public class OutputSchemas {

    private static final Logger LOG = Logger.getLogger(OutputSchemas.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    /**
     * Runs before the Kafka Streams extension's own start-up observer (default priority), which
     * starts the client; asking for the client builds the topology, which hands out the serializers.
     */
    void resolveBeforeStreamsStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
                                   KafkaStreams streams, ProtobufSerdes serdes, RegistryConfig config) {
        resolve(serdes, config.startupPatience());
    }

    /** Resolves every output schema, waiting out an unreachable registry for at most {@code patience}. */
    public static void resolve(ProtobufSerdes serdes, Duration patience) {
        long startedAt = System.nanoTime();
        long giveUpAt = startedAt + patience.toNanos();
        long lastLoggedAt = startedAt - LOG_EVERY_NANOS;
        long backoffMs = FIRST_BACKOFF_MS;
        while (true) {
            try {
                List<String> resolved = serdes.resolveOutputSchemas();
                if (!resolved.isEmpty()) {
                    LOG.infof("output schemas resolved: %s", String.join(", ", resolved));
                }
                return;
            } catch (RuntimeException e) {
                List<String> waiting = serdes.unresolvedOutputs();
                if (RegistryAccessException.isCauseOf(e)) {
                    throw new RegistryAccessException("the schema registry refused this service's credentials or TLS while "
                            + "resolving the schemas of " + waiting + ": check flywheel.registry.url and flywheel.registry.serde.*", e);
                }
                if (!RegistryUnavailableException.isTransient(e)) {
                    throw new IllegalStateException("the schema registry did not accept the schema of " + waiting.get(0)
                            + ": " + e.getMessage(), e);
                }
                long now = System.nanoTime();
                if (now + backoffMs * 1_000_000 > giveUpAt) {
                    throw new RegistryUnavailableException("schema registry unreachable for " + patience.toSeconds()
                            + " s at start (flywheel.registry.startup-patience), the schemas of " + waiting
                            + " are unresolved, so Kafka Streams was not started: check flywheel.registry.url", e);
                }
                if (now - lastLoggedAt >= LOG_EVERY_NANOS) {
                    LOG.warnf("schema registry unreachable; waiting (up to %d s in all) to resolve the schemas of %s "
                            + "before Kafka Streams starts: %s", patience.toSeconds(), waiting, e.getMessage());
                    lastLoggedAt = now;
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new RegistryUnavailableException("interrupted while waiting for the schema registry at start", e);
                }
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }
}
