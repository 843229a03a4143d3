package io.flywheel.verification.bench.mesh;

import io.flywheel.verification.bench.Figure;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Latencies in microseconds (HdrHistogram, 3 significant digits, up to an hour), read out in milliseconds. */
final class Latencies {

    private final Histogram micros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);

    synchronized void recordNanos(long nanos) {
        micros.recordValue(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), micros.getHighestTrackableValue())));
    }

    synchronized long count() {
        return micros.getTotalCount();
    }

    synchronized double percentileMillis(double percentile) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    synchronized double maxMillis() {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getMaxValue() / 1000.0;
    }

    /** {@code <name>.p50}, {@code .p99} and, with {@code withMax}, {@code .max}, in ms. */
    List<Figure> figures(String name, boolean withMax) {
        Figure p50 = Figure.of(name + ".p50", percentileMillis(50), "ms");
        Figure p99 = Figure.of(name + ".p99", percentileMillis(99), "ms");
        return withMax ? List.of(p50, p99, Figure.of(name + ".max", maxMillis(), "ms")) : List.of(p50, p99);
    }
}
