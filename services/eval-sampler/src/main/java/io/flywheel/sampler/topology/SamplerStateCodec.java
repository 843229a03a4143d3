package io.flywheel.sampler.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.sampling.ApplicableRates;
import io.flywheel.sampler.sampling.BoostWindow;
import io.flywheel.sampler.sampling.CompletionRef;
import io.flywheel.sampler.sampling.FeedbackJoinCounts;
import io.flywheel.sampler.sampling.PacerState;
import io.flywheel.sampler.sampling.PendingFeedback;
import io.flywheel.sampler.sampling.RememberedCompletion;
import io.flywheel.sampler.sampling.SampleReason;
import io.flywheel.sampler.sampling.StratumSummary;
import io.flywheel.sampler.sampling.StratumTally;
import io.flywheel.state.v1.ArrivalRates;
import io.flywheel.state.v1.FeedbackCounts;
import io.flywheel.state.v1.PacerSnapshot;
import io.flywheel.state.v1.PendingFeedbackState;
import io.flywheel.state.v1.RememberedCompletionState;
import io.flywheel.state.v1.StratumCounts;
import io.flywheel.state.v1.StratumTallyState;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** Converts the sampling domain's values to and from their store formats ({@code sampler_state.proto}). */
public final class SamplerStateCodec {

    private SamplerStateCodec() {
    }

    /** The store key of a completion: unambiguous whatever the ids contain (the conversation id is length-prefixed). */
    public static String refKey(CompletionRef ref) {
        return ref.conversationId().length() + ":" + ref.conversationId() + ref.completionId();
    }

    public static StratumTallyState tally(StratumTally tally) {
        return StratumTallyState.newBuilder().setPacer(pacer(tally.pacer())).setStats(counts(tally.stats())).build();
    }

    public static StratumTally tally(StratumTallyState state) {
        return new StratumTally(pacer(state.getPacer()), stats(state.getStats()));
    }

    static PacerSnapshot pacer(PacerState state) {
        PacerSnapshot.Builder snapshot = PacerSnapshot.newBuilder()
                .setStreamTimeMs(state.streamTimeMs())
                .setEpochRate(state.epochRate())
                .setEpochCeiling(state.epochCeiling())
                .setEpochCount(state.epochCount())
                .setEpochSpend(state.epochSpend())
                .setPeriodSpend(state.periodSpend())
                .setPeriodDraws(state.periodDraws());
        if (state.started()) {
            snapshot.setEpoch(state.epoch());
        }
        for (long count : state.recentCounts()) {
            snapshot.addRecentCounts(count);
        }
        return snapshot.build();
    }

    static PacerState pacer(PacerSnapshot snapshot) {
        if (!snapshot.hasEpoch()) {
            return PacerState.INITIAL;
        }
        return new PacerState(snapshot.getEpoch(), snapshot.getStreamTimeMs(), snapshot.getEpochRate(),
                snapshot.getEpochCeiling(), snapshot.getEpochCount(), snapshot.getEpochSpend(), snapshot.getPeriodSpend(),
                snapshot.getPeriodDraws(), snapshot.getRecentCountsList().stream().mapToLong(Long::longValue).toArray());
    }

    public static StratumCounts counts(StratumSummary stats) {
        return StratumCounts.newBuilder()
                .setSeen(stats.seen())
                .setArrivalSamples(stats.arrivalSamples())
                .setExpectedArrivalSamples(stats.expectedArrivalSamples())
                .setBaselineDraws(stats.baselineDraws())
                .setExpectedBaselineDraws(stats.expectedBaselineDraws())
                .setDropped(stats.dropped())
                .setSampledNegativeFeedback(stats.sampledNegativeFeedback())
                .setSampledSafety(stats.sampledSafety())
                .setSampledDrift(stats.sampledDrift())
                .setSampledBaseline(stats.sampledBaseline())
                .setCurrentRateSum(stats.currentRateSum())
                .setTasks(stats.tasks())
                .setPeriodBudget(stats.periodBudget())
                .setPeriodDraws(stats.periodDraws())
                .build();
    }

    public static StratumSummary stats(StratumCounts counts) {
        return new StratumSummary(counts.getSeen(), counts.getArrivalSamples(), counts.getExpectedArrivalSamples(),
                counts.getBaselineDraws(), counts.getExpectedBaselineDraws(), counts.getDropped(),
                counts.getSampledNegativeFeedback(), counts.getSampledSafety(), counts.getSampledDrift(),
                counts.getSampledBaseline(), counts.getCurrentRateSum(), counts.getTasks(), counts.getPeriodBudget(),
                counts.getPeriodDraws());
    }

    public static FeedbackCounts feedback(FeedbackJoinCounts stats) {
        FeedbackCounts.Builder counts = FeedbackCounts.newBuilder()
                .setNegative(stats.negative())
                .setUnmatchedExpired(stats.unmatchedExpired());
        stats.byJoin().forEach((join, count) -> {
            if (count != 0) {
                counts.putByJoin(join.name(), count);
            }
        });
        return counts.build();
    }

    /** Join names this version does not know (written by a newer one) are ignored. */
    public static FeedbackJoinCounts feedback(FeedbackCounts counts) {
        Map<BoostWindow.Join, Long> byJoin = new EnumMap<>(BoostWindow.Join.class);
        for (BoostWindow.Join join : BoostWindow.Join.values()) {
            byJoin.put(join, counts.getByJoinOrDefault(join.name(), 0L));
        }
        return FeedbackJoinCounts.of(counts.getNegative(), byJoin, counts.getUnmatchedExpired());
    }

    static ArrivalRates rates(ApplicableRates rates) {
        ArrivalRates.Builder stored = ArrivalRates.newBuilder().setBaseline(rates.baselineRate());
        rates.rate(SampleReason.SAFETY).ifPresent(stored::setSafety);
        rates.rate(SampleReason.DRIFT).ifPresent(stored::setDrift);
        rates.rate(SampleReason.NEGATIVE_FEEDBACK).ifPresent(stored::setNegativeFeedback);
        return stored.build();
    }

    static ApplicableRates rates(ArrivalRates stored) {
        ApplicableRates rates = ApplicableRates.baseline(stored.getBaseline());
        if (stored.hasSafety()) {
            rates = rates.with(SampleReason.SAFETY, stored.getSafety());
        }
        if (stored.hasDrift()) {
            rates = rates.with(SampleReason.DRIFT, stored.getDrift());
        }
        if (stored.hasNegativeFeedback()) {
            rates = rates.with(SampleReason.NEGATIVE_FEEDBACK, stored.getNegativeFeedback());
        }
        return rates;
    }

    static RememberedCompletionState completion(RememberedCompletion<ScreenedCompletion> completion) {
        RememberedCompletionState.Builder state = RememberedCompletionState.newBuilder()
                .setCreatedAtMs(completion.createdAtMs())
                .setExpiresAtMs(completion.expiresAtMs())
                .setArrivalRates(rates(completion.arrivalRates()))
                .setBoosted(completion.boosted());
        completion.payload().ifPresent(state::setPayload);
        return state.build();
    }

    static RememberedCompletion<ScreenedCompletion> completion(CompletionRef ref, RememberedCompletionState state) {
        return new RememberedCompletion<>(ref, state.getCreatedAtMs(), state.getExpiresAtMs(), rates(state.getArrivalRates()),
                state.getBoosted(), state.hasPayload() ? Optional.of(state.getPayload()) : Optional.empty());
    }

    static PendingFeedbackState pending(PendingFeedback<FeedbackEvent> pending) {
        return PendingFeedbackState.newBuilder()
                .setOccurredAtMs(pending.occurredAtMs())
                .setCompletionCreatedAtMs(pending.completionCreatedAtMs())
                .setExpiresAtMs(pending.expiresAtMs())
                .setFeedback(pending.feedback())
                .build();
    }

    static PendingFeedback<FeedbackEvent> pending(CompletionRef ref, PendingFeedbackState state) {
        return new PendingFeedback<>(ref, state.getOccurredAtMs(), state.getCompletionCreatedAtMs(), state.getExpiresAtMs(),
                state.getFeedback());
    }
}
