package io.flywheel.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeterCleanupTest {

    @Test
    void aRestartedApplicationReadsItsOwnGaugeNotTheStoppedOnes() {
        CompositeMeterRegistry global = new CompositeMeterRegistry();
        global.add(new SimpleMeterRegistry());
        AtomicInteger first = new AtomicInteger(0);
        Gauge.builder("flywheel.streams.running", first, AtomicInteger::get).register(global);
        global.counter("jvm.other").increment();

        MeterCleanup.remove(global);
        AtomicInteger second = new AtomicInteger(1);
        Gauge.builder("flywheel.streams.running", second, AtomicInteger::get).register(global);

        assertEquals(1.0, global.get("flywheel.streams.running").gauge().value(), "the second application's gauge");
        assertEquals(1.0, global.get("jvm.other").counter().count(), "meters of others stay");
        assertEquals(2, global.getMeters().stream().map(Meter::getId).distinct().count());
    }
}
