package io.flywheel.sampler.sampling;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** A {@link SamplerMemory} on the heap; not thread-safe. */
public final class InMemorySamplerMemory implements SamplerMemory {

    private final Map<StratumKey, StratumTally> strata = new HashMap<>();
    private final InMemoryBoostLedger<ScreenedCompletion, FeedbackEvent> ledger = new InMemoryBoostLedger<>();
    private FeedbackJoinCounts feedbackStats = FeedbackJoinCounts.EMPTY;
    private long streamTimeMs = Long.MIN_VALUE;

    @Override
    public Optional<StratumTally> stratum(StratumKey stratum) {
        return Optional.ofNullable(strata.get(stratum));
    }

    @Override
    public void putStratum(StratumKey stratum, StratumTally tally) {
        strata.put(stratum, tally);
    }

    @Override
    public void forEachStratum(BiConsumer<StratumKey, StratumTally> action) {
        new TreeMap<>(strata).forEach(action);
    }

    @Override
    public FeedbackJoinCounts feedbackStats() {
        return feedbackStats;
    }

    @Override
    public void putFeedbackStats(FeedbackJoinCounts stats) {
        feedbackStats = stats;
    }

    @Override
    public long streamTimeMs() {
        return streamTimeMs;
    }

    @Override
    public void putStreamTimeMs(long streamTimeMs) {
        this.streamTimeMs = streamTimeMs;
    }

    @Override
    public InMemoryBoostLedger<ScreenedCompletion, FeedbackEvent> boostLedger() {
        return ledger;
    }
}
