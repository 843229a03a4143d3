package io.flywheel.sampler.sampling;

import java.time.Duration;
import java.util.Objects;

/**
 * Event-time calendar of the budget: periods (e.g. 1 h) split into whole epochs (e.g. 5 min),
 * both aligned to the Unix epoch, so every task and every replay cuts time in the same places.
 */
public record EpochClock(Duration period, Duration epoch) {

    public EpochClock {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(epoch, "epoch");
        if (epoch.isNegative() || epoch.isZero() || epoch.toMillis() * 1_000_000 != epoch.toNanos()) {
            throw new IllegalArgumentException("epoch must be a positive whole number of milliseconds: " + epoch);
        }
        if (period.compareTo(epoch) < 0 || period.toMillis() % epoch.toMillis() != 0
                || period.toMillis() * 1_000_000 != period.toNanos()) {
            throw new IllegalArgumentException("period " + period + " must be a whole multiple of epoch " + epoch);
        }
    }

    /** The absolute index of the epoch holding {@code eventTimeMs}. */
    public long epochOf(long eventTimeMs) {
        return Math.floorDiv(eventTimeMs, epoch.toMillis());
    }

    /** The absolute index of the period holding absolute epoch {@code epochIndex}. */
    public long periodOfEpoch(long epochIndex) {
        return Math.floorDiv(epochIndex, epochsPerPeriod());
    }

    /** 0 for the first epoch of a period, {@code epochsPerPeriod() - 1} for the last. */
    public int epochInPeriod(long epochIndex) {
        return (int) Math.floorMod(epochIndex, (long) epochsPerPeriod());
    }

    public int epochsPerPeriod() {
        return (int) (period.toMillis() / epoch.toMillis());
    }

    public long periodOf(long eventTimeMs) {
        return Math.floorDiv(eventTimeMs, period.toMillis());
    }

    public long epochStartMs(long epochIndex) {
        return epochIndex * epoch.toMillis();
    }
}
