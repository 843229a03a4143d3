package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.verification.bench.Figure;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void readsPercentilesAndMaximumInMilliseconds() {
        Latencies latencies = new Latencies();
        for (int ms = 1; ms <= 100; ms++) {
            latencies.recordNanos(ms * 1_000_000L);
        }
        List<Figure> figures = latencies.figures("svc.freshness", true);
        assertEquals(List.of("svc.freshness.p50", "svc.freshness.p99", "svc.freshness.max"), figures.stream().map(Figure::name).toList());
        assertEquals(50.0, figures.get(0).value(), 0.05);
        assertEquals(99.0, figures.get(1).value(), 0.1);
        assertEquals(100.0, figures.get(2).value(), 0.1);
        assertEquals("ms", figures.get(0).unit());
    }

    @Test
    void keepsSubMillisecondResolution() {
        Latencies latencies = new Latencies();
        latencies.recordNanos(1_234_000);
        assertEquals(1.234, latencies.percentileMillis(50), 0.001);
    }

    @Test
    void withoutMaximumGivesTwoFigures() {
        Latencies latencies = new Latencies();
        latencies.recordNanos(1_000);
        assertEquals(2, latencies.figures("q", false).size());
    }

    @Test
    void countsNegativeAndHugeValuesWithinRange() {
        Latencies latencies = new Latencies();
        latencies.recordNanos(-5);
        latencies.recordNanos(Long.MAX_VALUE);
        assertEquals(2, latencies.count());
        assertEquals(0.0, latencies.percentileMillis(1), 0.0);
    }
}
