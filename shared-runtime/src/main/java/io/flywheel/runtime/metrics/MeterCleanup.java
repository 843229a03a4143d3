package io.flywheel.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Removes the service's {@code flywheel.*} meters when the application stops. The injected registry
 * outlives the application (Micrometer's global composite): without this, an application started
 * again in the same JVM (dev-mode reload, one test JVM running several) would keep the first one's
 * gauges, bound to its stopped Kafka Streams client and policy set, and its counts.
 */
@ApplicationScoped
public class MeterCleanup {

    static final String PREFIX = "flywheel.";

    void removeOnShutdown(@Observes ShutdownEvent event, MeterRegistry registry) {
        remove(registry);
    }

    static void remove(MeterRegistry registry) {
        List<Meter> ours = registry.getMeters().stream().filter(meter -> meter.getId().getName().startsWith(PREFIX)).toList();
        ours.forEach(registry::remove);
    }
}
