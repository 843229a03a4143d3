package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.sampler.sampling.BoostWindow.Boost;
import io.flywheel.sampler.sampling.BoostWindow.CompletionOutcome;
import io.flywheel.sampler.sampling.BoostWindow.FeedbackOutcome;
import io.flywheel.sampler.sampling.BoostWindow.Join;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoostWindowTest {

    private static final long MIN = 60_000;
    private static final long WINDOW = 10 * MIN;
    private static final long GRACE = MIN;
    private static final CompletionRef REF = new CompletionRef("conv", "cmp");
    private static final ApplicableRates ARRIVAL = ApplicableRates.baseline(0.1);

    private final InMemoryBoostLedger<String, String> ledger = new InMemoryBoostLedger<>();
    private final BoostWindow<String, String> window =
            new BoostWindow<>(Duration.ofMillis(WINDOW), Duration.ofMillis(GRACE), 0.5, ledger);

    @Test
    void completionThenFeedbackBoosts() {
        CompletionOutcome<String, String> arrival = window.onCompletion(REF, 1000, "payload", 0.3, ARRIVAL, 1000);
        assertFalse(arrival.duplicate());
        assertTrue(arrival.heldFeedback().isEmpty());
        FeedbackOutcome<String, String> outcome = window.onNegativeFeedback(REF, 1000 + 5 * MIN, 1000, "thumb-down", 0.3, 1000);
        assertEquals(Join.BOOSTED, outcome.join());
        Boost<String, String> boost = outcome.boost().orElseThrow();
        assertEquals(new Boost<>(REF, "payload", "thumb-down",
                new SamplingDecision(true, SampleReason.NEGATIVE_FEEDBACK, 0.5), 1000 + 5 * MIN), boost);
        assertEquals(Optional.empty(), ledger.completion(REF).orElseThrow().payload(), "a boosted payload is not kept");
    }

    @Test
    void feedbackThenCompletionGivesTheSameSample() {
        FeedbackOutcome<String, String> held = window.onNegativeFeedback(REF, 1000 + 5 * MIN, 1000, "thumb-down", 0.3, 0);
        assertEquals(Join.HELD, held.join());
        assertEquals(1, ledger.pendingCount());
        CompletionOutcome<String, String> arrival = window.onCompletion(REF, 1000, "payload", 0.3, ARRIVAL, 1000);
        FeedbackOutcome<String, String> joined = arrival.heldFeedback().orElseThrow();
        assertEquals(Join.BOOSTED, joined.join());

        BoostWindow<String, String> otherOrder = new BoostWindow<>(Duration.ofMillis(WINDOW), Duration.ofMillis(GRACE), 0.5,
                new InMemoryBoostLedger<>());
        otherOrder.onCompletion(REF, 1000, "payload", 0.3, ARRIVAL, 1000);
        assertEquals(otherOrder.onNegativeFeedback(REF, 1000 + 5 * MIN, 1000, "thumb-down", 0.3, 1000).boost(),
                joined.boost());
        assertEquals(0, ledger.pendingCount());
        assertEquals(Join.ALREADY_BOOSTED, window.onNegativeFeedback(REF, 1000 + 6 * MIN, 1000, "report", 0.3, 1000).join(),
                "never boosted twice");
    }

    @Test
    void firstFeedbackToArriveIsTheTrigger() {
        assertEquals(Join.HELD, window.onNegativeFeedback(REF, 4 * MIN, 0, "first", 0.3, 0).join());
        assertEquals(Join.ALREADY_HELD, window.onNegativeFeedback(REF, 2 * MIN, 0, "second", 0.3, 0).join());
        Boost<String, String> boost = window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0)
                .heldFeedback().orElseThrow().boost().orElseThrow();
        assertEquals("first", boost.trigger());
    }

    @Test
    void feedbackOutsideTheWindowIsCountedNotSampledInBothOrders() {
        window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0);
        assertEquals(Join.OUTSIDE_WINDOW, window.onNegativeFeedback(REF, WINDOW + 1, 0, "late thumb", 0.3, 0).join());
        assertFalse(ledger.completion(REF).orElseThrow().boosted());

        CompletionRef other = new CompletionRef("conv", "other");
        assertEquals(Join.OUTSIDE_WINDOW, window.onNegativeFeedback(other, WINDOW + 1, 0, "late thumb", 0.3, 0).join());
        assertEquals(0, ledger.pendingCount(), "feedback outside the window is not held");
        assertTrue(window.onCompletion(other, 0, "payload", 0.3, ARRIVAL, 0).heldFeedback().isEmpty());
    }

    @Test
    void theCompletionsOwnCreationTimeDecidesOnceItIsKnown() {
        // The feedback claims its completion was created at 5 min; the completion says 0.
        assertEquals(Join.HELD, window.onNegativeFeedback(REF, WINDOW + MIN, 5 * MIN, "thumb", 0.3, 0).join());
        assertEquals(Join.OUTSIDE_WINDOW, window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0)
                .heldFeedback().orElseThrow().join());
    }

    @Test
    void drawAboveTheBoostRateIsNotSampledAndNoPayloadIsKept() {
        window.onCompletion(REF, 0, "payload", 0.7, ARRIVAL, 0);
        assertEquals(Optional.empty(), ledger.completion(REF).orElseThrow().payload());
        assertEquals(Join.NOT_DRAWN, window.onNegativeFeedback(REF, MIN, 0, "thumb", 0.7, 0).join());
    }

    @Test
    void aHigherArrivalRateAlreadyCoversTheCompletion() {
        ApplicableRates flagged = ARRIVAL.with(SampleReason.SAFETY, 0.5); // ties the boost rate
        window.onCompletion(REF, 0, "payload", 0.3, flagged, 0);
        assertEquals(Join.BOOSTED, window.onNegativeFeedback(REF, MIN, 0, "thumb", 0.3, 0).join(),
                "on a tie NEGATIVE_FEEDBACK leads, so the feedback is recorded as the trigger");

        CompletionRef other = new CompletionRef("conv", "flagged");
        window.onCompletion(other, 0, "payload", 0.3, ARRIVAL.with(SampleReason.SAFETY, 1.0), 0);
        assertEquals(Optional.empty(), ledger.completion(other).orElseThrow().payload());
        assertEquals(Join.COVERED, window.onNegativeFeedback(other, MIN, 0, "thumb", 0.3, 0).join());
    }

    @Test
    void reDeliveredCompletionIsRecognised() {
        assertFalse(window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0).duplicate());
        assertTrue(window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0).duplicate());
    }

    @Test
    void expiryForgetsCompletionsAndCountsUnmatchedFeedback() {
        window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, 0);
        CompletionRef waiting = new CompletionRef("conv", "never-arrives");
        assertEquals(Join.HELD, window.onNegativeFeedback(waiting, MIN, 0, "thumb", 0.3, 0).join());
        assertEquals(new BoostLedger.Expired(0, 0), window.expire(WINDOW + GRACE - 1));
        assertEquals(new BoostLedger.Expired(1, 1), window.expire(WINDOW + GRACE));
        assertEquals(0, ledger.completionCount());
        assertEquals(0, ledger.pendingCount());
        // Feedback inside the window by its timestamps, but the window has passed in stream time.
        assertEquals(Join.LATE, window.onNegativeFeedback(REF, MIN, 0, "thumb", 0.3, WINDOW + GRACE).join());
        assertEquals(0, ledger.pendingCount());
    }

    @Test
    void aCompletionArrivingAfterItsWindowIsNotRemembered() {
        window.onCompletion(REF, 0, "payload", 0.3, ARRIVAL, WINDOW + GRACE);
        assertEquals(0, ledger.completionCount());
    }

    /** Random completions, feedback times, draws and rates: the two arrival orders always agree. */
    @Test
    void bothArrivalOrdersAlwaysAgree() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            double u = random.nextDouble();
            ApplicableRates rates = ApplicableRates.baseline(random.nextDouble() * 0.3);
            if (random.nextBoolean()) {
                rates = rates.with(SampleReason.SAFETY, random.nextDouble());
            }
            if (random.nextBoolean()) {
                rates = rates.with(SampleReason.DRIFT, random.nextDouble());
            }
            long created = random.nextInt(1000) * MIN;
            long occurred = created + (long) (random.nextDouble() * 1.5 * WINDOW);
            double rate = random.nextDouble();

            BoostWindow<String, String> completionFirst = new BoostWindow<>(Duration.ofMillis(WINDOW),
                    Duration.ofMillis(GRACE), rate, new InMemoryBoostLedger<>());
            completionFirst.onCompletion(REF, created, "payload", u, rates, created);
            FeedbackOutcome<String, String> a = completionFirst.onNegativeFeedback(REF, occurred, created, "f", u, created);

            BoostWindow<String, String> feedbackFirst = new BoostWindow<>(Duration.ofMillis(WINDOW),
                    Duration.ofMillis(GRACE), rate, new InMemoryBoostLedger<>());
            FeedbackOutcome<String, String> held = feedbackFirst.onNegativeFeedback(REF, occurred, created, "f", u, created);
            FeedbackOutcome<String, String> b = held.join() == Join.HELD
                    ? feedbackFirst.onCompletion(REF, created, "payload", u, rates, created).heldFeedback().orElseThrow()
                    : held;
            assertEquals(a, b, "case " + i);
            boolean shouldBoost = occurred - created <= WINDOW && u < rate && rate >= rates.highestRate();
            assertEquals(shouldBoost, a.join() == Join.BOOSTED, "case " + i);
        }
    }

    @Test
    void aRateRaisedSinceTheCompletionArrivedNeverCrashesTheTask() {
        // Remembered under negative-feedback rate 0.5 with u = 0.7: no boost possible, payload dropped.
        window.onCompletion(REF, 1000, "payload", 0.7, ARRIVAL, 1000);
        assertEquals(Optional.empty(), ledger.completion(REF).orElseThrow().payload());
        // After a restart with rate 0.9 the draw would fall under it, but there is nothing to emit.
        BoostWindow<String, String> raised = new BoostWindow<>(Duration.ofMillis(WINDOW), Duration.ofMillis(GRACE), 0.9, ledger);
        FeedbackOutcome<String, String> outcome = raised.onNegativeFeedback(REF, 1000 + MIN, 1000, "thumb-down", 0.7, 1000);
        assertEquals(Join.NOT_DRAWN, outcome.join());
        assertTrue(outcome.boost().isEmpty());
    }
}
