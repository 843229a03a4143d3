package io.flywheel.sampler.query;

import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.sampler.sampling.BoostWindow;
import io.flywheel.sampler.sampling.FeedbackJoinCounts;
import io.flywheel.sampler.sampling.SampleReason;
import io.flywheel.sampler.sampling.StratumSummary;

/** The query API's statistics messages, to and from the sampling domain's sums. */
final class SamplerStatsMessages {

    private SamplerStatsMessages() {
    }

    static StratumStats stratum(String stratum, StratumSummary stats) {
        StratumStats.Builder message = StratumStats.newBuilder()
                .setStratum(stratum)
                .setSeen(stats.seen())
                .setSampled(stats.sampled())
                .setDropped(stats.dropped())
                .setRealisedRate(stats.realisedRate())
                .setTargetRate(stats.targetRate())
                .setCurrentRate(stats.currentRate())
                .setArrivalSamples(stats.arrivalSamples())
                .setExpectedArrivalSamples(stats.expectedArrivalSamples())
                .setBaselineDraws(stats.baselineDraws())
                .setExpectedBaselineDraws(stats.expectedBaselineDraws())
                .setCurrentRateSum(stats.currentRateSum())
                .setTasks(stats.tasks())
                .setPeriodBudget(stats.periodBudget())
                .setPeriodDraws(stats.periodDraws());
        stats.budgetLeft().ifPresent(message::setBudgetLeft);
        stats.sampledByReason().forEach((reason, count) -> message.putSampledByReason(reason.name(), count));
        return message.build();
    }

    /** The sums behind a message (another instance's part of a fan-out). */
    static StratumSummary sums(StratumStats message) {
        return new StratumSummary(message.getSeen(), message.getArrivalSamples(),
                message.getExpectedArrivalSamples(), message.getBaselineDraws(), message.getExpectedBaselineDraws(),
                message.getDropped(), reason(message, SampleReason.NEGATIVE_FEEDBACK), reason(message, SampleReason.SAFETY),
                reason(message, SampleReason.DRIFT), reason(message, SampleReason.BASELINE), message.getCurrentRateSum(),
                message.getTasks(), message.getPeriodBudget(), message.getPeriodDraws());
    }

    /** One stratum's counts from two partitions or instances, added up. */
    static StratumStats merge(StratumStats a, StratumStats b) {
        return stratum(a.getStratum(), sums(a).merge(sums(b)));
    }

    private static long reason(StratumStats message, SampleReason reason) {
        return message.getSampledByReasonOrDefault(reason.name(), 0L);
    }

    static FeedbackStats feedback(FeedbackJoinCounts stats, long rememberedCompletions, long heldFeedback) {
        return FeedbackStats.newBuilder()
                .setNegative(stats.negative())
                .setBoosted(stats.count(BoostWindow.Join.BOOSTED))
                .setNotDrawn(stats.count(BoostWindow.Join.NOT_DRAWN))
                .setCovered(stats.count(BoostWindow.Join.COVERED))
                .setAlreadyBoosted(stats.count(BoostWindow.Join.ALREADY_BOOSTED))
                .setOutsideWindow(stats.count(BoostWindow.Join.OUTSIDE_WINDOW))
                .setHeld(stats.count(BoostWindow.Join.HELD))
                .setAlreadyHeld(stats.count(BoostWindow.Join.ALREADY_HELD))
                .setLate(stats.count(BoostWindow.Join.LATE))
                .setUnmatchedExpired(stats.unmatchedExpired())
                .setRememberedCompletions(rememberedCompletions)
                .setHeldFeedback(heldFeedback)
                .build();
    }

    static FeedbackStats sum(FeedbackStats a, FeedbackStats b) {
        return FeedbackStats.newBuilder()
                .setNegative(a.getNegative() + b.getNegative())
                .setBoosted(a.getBoosted() + b.getBoosted())
                .setNotDrawn(a.getNotDrawn() + b.getNotDrawn())
                .setCovered(a.getCovered() + b.getCovered())
                .setAlreadyBoosted(a.getAlreadyBoosted() + b.getAlreadyBoosted())
                .setOutsideWindow(a.getOutsideWindow() + b.getOutsideWindow())
                .setHeld(a.getHeld() + b.getHeld())
                .setAlreadyHeld(a.getAlreadyHeld() + b.getAlreadyHeld())
                .setLate(a.getLate() + b.getLate())
                .setUnmatchedExpired(a.getUnmatchedExpired() + b.getUnmatchedExpired())
                .setRememberedCompletions(a.getRememberedCompletions() + b.getRememberedCompletions())
                .setHeldFeedback(a.getHeldFeedback() + b.getHeldFeedback())
                .build();
    }
}
