package io.flywheel.sampler.sampling;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.AggregateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The sampling of one partition (one stream task): what the topology calls for each screened
 * completion and each feedback event of its partition, in partition order.
 *
 * <p>On a completion: its stratum's pacer counts it and offers the baseline rate; safety applies
 * if the verdict is FLAG or REDACT, drift if its model key is under an active alert; the
 * {@link SamplingDecision} over the conversation's draw gives at most one arrival sample
 * (BASELINE, SAFETY or DRIFT); then the {@link BoostWindow} joins it with negative feedback that
 * came first. On negative feedback: the boost window joins it with its completion, now or later.
 *
 * <p>Stream time is the largest completion {@code created_at} seen (server clocks; feedback times
 * come from client devices and do not move it). Every output is a function of the inputs in
 * partition order and of the drift state, never of the wall clock.
 */
public final class PartitionSampler {

    private final SamplingPolicy policy;
    private final int partitions;
    private final SamplerMemory memory;
    private final DriftStatus drift;
    private final ConversationDraw draw;
    private final BoostWindow<ScreenedCompletion, FeedbackEvent> boostWindow;

    public PartitionSampler(SamplingPolicy policy, int partitions, SamplerMemory memory, DriftStatus drift) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1");
        }
        this.policy = Objects.requireNonNull(policy, "policy");
        this.partitions = partitions;
        this.memory = Objects.requireNonNull(memory, "memory");
        this.drift = Objects.requireNonNull(drift, "drift");
        this.draw = new ConversationDraw(policy.salt());
        this.boostWindow = new BoostWindow<>(policy.boostWindow(), policy.boostGrace(),
                policy.negativeFeedbackRate(), memory.boostLedger());
    }

    /** Decides a screened completion; returns the samples to emit (none, one, or two with a waiting boost). */
    public List<EvalSample> onCompletion(ScreenedCompletion screened) {
        Completion completion = screened.getCompletion();
        CompletionRef ref = new CompletionRef(completion.getConversationId(), completion.getCompletionId());
        long createdAtMs = Timestamps.toMillis(completion.getCreatedAt());
        long nowMs = advanceStreamTime(createdAtMs);
        BoostLedger<ScreenedCompletion, FeedbackEvent> ledger = memory.boostLedger();
        if (ledger.completion(ref).isPresent()) {
            return List.of();
        }
        StratumKey stratum = policy.stratumOf(completion.getModel().getName(), completion.getLocale());
        StratumQuota terms = policy.termsOf(stratum);
        StratumTally tally = memory.stratum(stratum).orElse(StratumTally.INITIAL);
        BudgetPacer pacer = new BudgetPacer(BudgetedRate.of(terms, policy, partitions), policy.clock(),
                policy.forecastEpochs(), tally.pacer());

        double u = draw.u(ref.conversationId());
        double baselineRate = pacer.admit(createdAtMs);
        ApplicableRates rates = arrivalRates(screened, baselineRate);
        SamplingDecision decision = SamplingDecision.decide(u, rates);
        boolean baselineDraw = u < baselineRate;
        if (baselineDraw) {
            pacer.recordDraw();
        }
        boolean dropped = !decision.sampled() && u < terms.baseRate();
        StratumSummary stats = tally.stats().withArrival(decision, baselineRate, baselineDraw, dropped);

        List<EvalSample> samples = new ArrayList<>(2);
        if (decision.sampled()) {
            samples.add(sample(screened, stratum, decision, null, createdAtMs));
        }
        BoostWindow.CompletionOutcome<ScreenedCompletion, FeedbackEvent> outcome =
                boostWindow.onCompletion(ref, createdAtMs, screened, u, rates, nowMs);
        if (outcome.heldFeedback().isPresent()) {
            BoostWindow.FeedbackOutcome<ScreenedCompletion, FeedbackEvent> held = outcome.heldFeedback().get();
            memory.putFeedbackStats(memory.feedbackStats().withResolution(held.join()));
            if (held.boost().isPresent()) {
                BoostWindow.Boost<ScreenedCompletion, FeedbackEvent> boost = held.boost().get();
                samples.add(sample(screened, stratum, boost.decision(), boost.trigger(), boost.sampledAtMs()));
                stats = stats.withBoost();
            }
        }
        PacerState pacerState = pacer.state();
        memory.putStratum(stratum, new StratumTally(pacerState,
                stats.withPacer(pacer.currentRate(), pacer.taskBudget(), pacerState.periodDraws())));
        return samples;
    }

    /** Joins feedback with its completion; returns the NEGATIVE_FEEDBACK sample when it boosts one. */
    public List<EvalSample> onFeedback(FeedbackEvent feedback) {
        if (!NegativeFeedback.isNegative(feedback)) {
            return List.of();
        }
        CompletionRef ref = new CompletionRef(feedback.getConversationId(), feedback.getCompletionId());
        long occurredAtMs = Timestamps.toMillis(feedback.getOccurredAt());
        long completionCreatedAtMs = feedback.hasCompletionCreatedAt()
                ? Timestamps.toMillis(feedback.getCompletionCreatedAt()) : occurredAtMs;
        BoostWindow.FeedbackOutcome<ScreenedCompletion, FeedbackEvent> outcome = boostWindow.onNegativeFeedback(
                ref, occurredAtMs, completionCreatedAtMs, feedback, draw.u(ref.conversationId()), memory.streamTimeMs());
        memory.putFeedbackStats(memory.feedbackStats().withArrival(outcome.join()));
        if (outcome.boost().isEmpty()) {
            return List.of();
        }
        BoostWindow.Boost<ScreenedCompletion, FeedbackEvent> boost = outcome.boost().get();
        Completion completion = boost.completion().getCompletion();
        StratumKey stratum = policy.stratumOf(completion.getModel().getName(), completion.getLocale());
        StratumTally tally = memory.stratum(stratum).orElse(StratumTally.INITIAL);
        memory.putStratum(stratum, new StratumTally(tally.pacer(), tally.stats().withBoost()));
        return List.of(sample(boost.completion(), stratum, boost.decision(), feedback, boost.sampledAtMs()));
    }

    /** This task's statistics per stratum, in key order. */
    public Map<StratumKey, StratumSummary> stats() {
        Map<StratumKey, StratumSummary> stats = new TreeMap<>();
        memory.forEachStratum((stratum, tally) -> stats.put(stratum, tally.stats()));
        return stats;
    }

    public FeedbackJoinCounts feedbackStats() {
        return memory.feedbackStats();
    }

    public ConversationDraw draw() {
        return draw;
    }

    private long advanceStreamTime(long eventTimeMs) {
        long nowMs = Math.max(memory.streamTimeMs(), eventTimeMs);
        if (nowMs != memory.streamTimeMs()) {
            memory.putStreamTimeMs(nowMs);
            BoostLedger.Expired expired = boostWindow.expire(nowMs);
            memory.putFeedbackStats(memory.feedbackStats().withUnmatchedExpired(expired.unmatchedFeedback()));
        }
        return nowMs;
    }

    private ApplicableRates arrivalRates(ScreenedCompletion screened, double baselineRate) {
        ApplicableRates rates = ApplicableRates.baseline(baselineRate);
        SafetyVerdict.Decision verdict = screened.getVerdict().getDecision();
        if (verdict == SafetyVerdict.Decision.FLAG || verdict == SafetyVerdict.Decision.REDACT) {
            rates = rates.with(SampleReason.SAFETY, policy.safetyRate());
        }
        Completion completion = screened.getCompletion();
        AggregateKey modelKey = AggregateKey.allTime(completion.getModel().getName(), completion.getModel().getVersion(),
                completion.getPromptVersion());
        if (drift.isFiring(modelKey)) {
            rates = rates.with(SampleReason.DRIFT, policy.driftRate());
        }
        return rates;
    }

    private static EvalSample sample(ScreenedCompletion screened, StratumKey stratum, SamplingDecision decision,
                                     FeedbackEvent trigger, long sampledAtMs) {
        Completion completion = screened.getCompletion();
        EvalSample.Builder sample = EvalSample.newBuilder()
                .setSampleId(decision.sampleId(completion.getConversationId(), completion.getCompletionId()))
                .setCompletion(screened)
                .setVerdict(screened.getVerdict())
                .setStratum(stratum.encode())
                .setReason(decision.reason().toProto())
                .setInclusionProbability(decision.inclusionProbability())
                .setSampledAt(timestamp(sampledAtMs));
        if (trigger != null) {
            sample.setTriggeringFeedback(trigger);
        }
        return sample.build();
    }

    private static Timestamp timestamp(long ms) {
        return Timestamps.fromMillis(ms);
    }
}
