package io.flywheel.sampler.topology;

import java.util.concurrent.atomic.AtomicLong;

/** How many feedback.alerts records this instance could not decode (logged and skipped). */
public final class SkippedAlerts {

    private final AtomicLong count = new AtomicLong();

    public long count() {
        return count.get();
    }

    AtomicLong counter() {
        return count;
    }
}
