package io.flywheel.sampler.sampling;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Joins negative feedback with the completion it is about, in either arrival order, within the
 * boost window, and decides whether the feedback pulls the completion into the sample.
 *
 * <p>Rules (times are event times; "now" is the caller's stream time):
 * <ul>
 *   <li>Feedback is in the window iff {@code occurred_at − completion.created_at ≤ window}; the
 *       completion's own created_at decides whenever the completion is known, the feedback's
 *       {@code completion_created_at} only while it is not. Feedback outside the window is
 *       counted, never sampled.</li>
 *   <li>A completion is remembered, and feedback that came first is held, until
 *       {@code created_at + window + grace}; grace covers the arrival delay between the two
 *       topics (the safety filter's latency, lagging partitions).</li>
 *   <li>The boost decision is {@link SamplingDecision#decide} over the completion's arrival rates
 *       plus NEGATIVE_FEEDBACK at the configured rate, always with the arrival rates remembered
 *       with the completion, so completion-then-feedback and feedback-then-completion give the
 *       same sample (same id, probability, trigger and {@code sampled_at = max(created_at,
 *       occurred_at)}). The trigger is the first qualifying feedback to arrive.</li>
 *   <li>A boost sample is emitted only when NEGATIVE_FEEDBACK leads the applicable rates and the
 *       draw falls under it. When another reason's rate is at least as high, the arrival decision
 *       already covered the completion at that higher probability (COVERED).</li>
 *   <li>A completion is boosted at most once; a re-delivered completion is recognised
 *       (duplicate) and decided only once.</li>
 * </ul>
 *
 * <p>State bound: every completion leaves a marker (ids, times, four rates: about
 * {@code 100 B + id lengths}) for {@code window + grace}; its payload stays only if a boost is
 * still possible, i.e. for the share of completions with {@code u < negative-feedback-rate}
 * (all of them at the default rate 1.0) until they are boosted or expire. Per partition:
 * <pre>
 *   bytes ≈ completions/s × (window + grace) × (marker + P(boost possible) × payload bytes)
 *         + negative feedback/s × (window + grace) × feedback bytes
 * </pre>
 * e.g. 50 completions/s in a partition, 31 min, 150 B markers and 6 KB payloads at rate 1.0:
 * about 93,000 entries and 0.6 GB on disk (RocksDB) per partition.
 */
public final class BoostWindow<C, F> {

    /** What became of one piece of negative feedback. */
    public enum Join {
        /** It pulled the completion in: a NEGATIVE_FEEDBACK sample. */
        BOOSTED,
        /** In the window, but the draw is above the negative-feedback rate. */
        NOT_DRAWN,
        /** In the window, but a reason with a rate at least as high already decided the completion. */
        COVERED,
        /** The completion was already boosted by earlier feedback. */
        ALREADY_BOOSTED,
        /** Given more than the boost window after the completion. */
        OUTSIDE_WINDOW,
        /** Its completion has not arrived yet: held until it does or the window passes. */
        HELD,
        /** Its completion has not arrived, and feedback on it is already held. */
        ALREADY_HELD,
        /** Arrived after the window (plus grace) had passed in stream time, its completion unknown. */
        LATE
    }

    /** A NEGATIVE_FEEDBACK sample to emit. */
    public record Boost<C, F>(CompletionRef ref, C completion, F trigger, SamplingDecision decision, long sampledAtMs) {
    }

    /** The outcome of a piece of feedback: its join, and the sample when BOOSTED. */
    public record FeedbackOutcome<C, F>(Join join, Optional<Boost<C, F>> boost) {

        static <C, F> FeedbackOutcome<C, F> of(Join join) {
            return new FeedbackOutcome<>(join, Optional.empty());
        }
    }

    /**
     * The outcome of a completion's arrival.
     *
     * @param duplicate   the completion was already remembered: a re-delivery, decide nothing again
     * @param heldFeedback the join of feedback that was waiting for it, if any
     */
    public record CompletionOutcome<C, F>(boolean duplicate, Optional<FeedbackOutcome<C, F>> heldFeedback) {
    }

    private final long windowMs;
    private final long graceMs;
    private final double negativeFeedbackRate;
    private final BoostLedger<C, F> ledger;

    public BoostWindow(Duration window, Duration grace, double negativeFeedbackRate, BoostLedger<C, F> ledger) {
        this.windowMs = window.toMillis();
        this.graceMs = grace.toMillis();
        this.negativeFeedbackRate = ApplicableRates.checkRate(negativeFeedbackRate);
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /**
     * A screened completion arrives (after its arrival decision was made with {@code arrivalRates}).
     *
     * @param u the conversation's draw
     */
    public CompletionOutcome<C, F> onCompletion(CompletionRef ref, long createdAtMs, C completion, double u,
                                                ApplicableRates arrivalRates, long nowMs) {
        if (ledger.completion(ref).isPresent()) {
            return new CompletionOutcome<>(true, Optional.empty());
        }
        Optional<FeedbackOutcome<C, F>> held = Optional.empty();
        Optional<PendingFeedback<F>> pending = ledger.pending(ref);
        if (pending.isPresent()) {
            ledger.removePending(ref);
            held = Optional.of(join(ref, createdAtMs, Optional.of(completion), u, arrivalRates,
                    pending.get().feedback(), pending.get().occurredAtMs()));
        }
        boolean boosted = held.map(outcome -> outcome.join() == Join.BOOSTED).orElse(false);
        long expiresAtMs = createdAtMs + windowMs + graceMs;
        if (expiresAtMs > nowMs) {
            SamplingDecision ifBoosted = boostDecision(u, arrivalRates);
            boolean boostPossible = !boosted && ifBoosted.reason() == SampleReason.NEGATIVE_FEEDBACK && ifBoosted.sampled();
            ledger.putCompletion(new RememberedCompletion<>(ref, createdAtMs, expiresAtMs, arrivalRates, boosted,
                    boostPossible ? Optional.of(completion) : Optional.empty()));
        }
        return new CompletionOutcome<>(false, held);
    }

    /**
     * Negative feedback arrives (thumb down, rating ≤ 2, report: see {@link NegativeFeedback}).
     *
     * @param completionCreatedAtMs the feedback's own idea of when its completion was created
     * @param u                     the conversation's draw
     */
    public FeedbackOutcome<C, F> onNegativeFeedback(CompletionRef ref, long occurredAtMs, long completionCreatedAtMs,
                                                    F feedback, double u, long nowMs) {
        Optional<RememberedCompletion<C>> remembered = ledger.completion(ref);
        if (remembered.isPresent()) {
            RememberedCompletion<C> completion = remembered.get();
            if (occurredAtMs - completion.createdAtMs() > windowMs) {
                return FeedbackOutcome.of(Join.OUTSIDE_WINDOW);
            }
            if (completion.boosted()) {
                return FeedbackOutcome.of(Join.ALREADY_BOOSTED);
            }
            FeedbackOutcome<C, F> outcome = join(ref, completion.createdAtMs(), completion.payload(), u,
                    completion.arrivalRates(), feedback, occurredAtMs);
            if (outcome.join() == Join.BOOSTED) {
                ledger.putCompletion(completion.asBoosted());
            }
            return outcome;
        }
        if (occurredAtMs - completionCreatedAtMs > windowMs) {
            return FeedbackOutcome.of(Join.OUTSIDE_WINDOW);
        }
        long expiresAtMs = completionCreatedAtMs + windowMs + graceMs;
        if (expiresAtMs <= nowMs) {
            return FeedbackOutcome.of(Join.LATE);
        }
        if (ledger.pending(ref).isPresent()) {
            return FeedbackOutcome.of(Join.ALREADY_HELD);
        }
        ledger.putPending(new PendingFeedback<>(ref, occurredAtMs, completionCreatedAtMs, expiresAtMs, feedback));
        return FeedbackOutcome.of(Join.HELD);
    }

    /** Forgets what the window has passed; pending feedback forgotten here never met its completion. */
    public BoostLedger.Expired expire(long nowMs) {
        return ledger.expireUntil(nowMs);
    }

    public Duration window() {
        return Duration.ofMillis(windowMs);
    }

    private FeedbackOutcome<C, F> join(CompletionRef ref, long createdAtMs, Optional<C> completion, double u,
                                       ApplicableRates arrivalRates, F feedback, long occurredAtMs) {
        if (occurredAtMs - createdAtMs > windowMs) {
            return FeedbackOutcome.of(Join.OUTSIDE_WINDOW);
        }
        SamplingDecision decision = boostDecision(u, arrivalRates);
        if (decision.reason() != SampleReason.NEGATIVE_FEEDBACK) {
            return FeedbackOutcome.of(Join.COVERED);
        }
        if (!decision.sampled()) {
            return FeedbackOutcome.of(Join.NOT_DRAWN);
        }
        if (completion.isEmpty()) {
            // Remembered under a lower negative-feedback rate (the policy changed since): the draw
            // was judged, and the payload dropped, under the rate in force when it arrived.
            return FeedbackOutcome.of(Join.NOT_DRAWN);
        }
        return new FeedbackOutcome<>(Join.BOOSTED,
                Optional.of(new Boost<>(ref, completion.get(), feedback, decision, Math.max(createdAtMs, occurredAtMs))));
    }

    private SamplingDecision boostDecision(double u, ApplicableRates arrivalRates) {
        return SamplingDecision.decide(u, arrivalRates.with(SampleReason.NEGATIVE_FEEDBACK, negativeFeedbackRate));
    }
}
