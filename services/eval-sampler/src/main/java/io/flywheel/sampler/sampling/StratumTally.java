package io.flywheel.sampler.sampling;

import java.util.Objects;

/** What one task keeps per stratum: its pacer and its statistics (one store entry, one write per completion). */
public record StratumTally(PacerState pacer, StratumSummary stats) {

    public static final StratumTally INITIAL = new StratumTally(PacerState.INITIAL, StratumSummary.EMPTY);

    public StratumTally {
        Objects.requireNonNull(pacer, "pacer");
        Objects.requireNonNull(stats, "stats");
    }
}
