package io.flywheel.verification.bench.mesh;

import java.time.Duration;

/**
 * A fixed send schedule at a steady rate: the i-th send is due at {@code i / rate} seconds after
 * the start, whatever happened to earlier sends. Latency measured from the due time, not from
 * when a late sender got round to it, includes the wait a real client would have had (no
 * coordinated omission).
 */
record Schedule(double perSecond) {

    Schedule {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a schedule needs a positive, finite rate, got " + perSecond);
        }
    }

    /** Nanoseconds from the start at which send {@code i} (from 0) is due. */
    long dueNanos(long i) {
        return Math.round(i * (1e9 / perSecond));
    }

    /** How many sends fall due within {@code window} from the start. */
    long sendsWithin(Duration window) {
        return (long) Math.ceil(window.toNanos() * perSecond / 1e9);
    }

    /** A schedule at {@code share} of a measured maximum (at least one send a second). */
    static Schedule shareOf(double maximumPerSecond, double share) {
        return new Schedule(Math.max(1.0, maximumPerSecond * share));
    }
}
