package io.flywheel.sampler.sampling;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The state of one {@link PartitionSampler}, i.e. of one stream task. In the service every part
 * is a changelogged state store ({@code StoreSamplerMemory}), so a restored task continues
 * exactly where it committed; the tests keep it in maps.
 */
public interface SamplerMemory {

    Optional<StratumTally> stratum(StratumKey stratum);

    void putStratum(StratumKey stratum, StratumTally tally);

    /** Every stratum this task has seen, in key order. */
    void forEachStratum(BiConsumer<StratumKey, StratumTally> action);

    FeedbackJoinCounts feedbackStats();

    void putFeedbackStats(FeedbackJoinCounts stats);

    /** The largest completion event time seen; {@code Long.MIN_VALUE} before the first. */
    long streamTimeMs();

    void putStreamTimeMs(long streamTimeMs);

    BoostLedger<ScreenedCompletion, FeedbackEvent> boostLedger();
}
