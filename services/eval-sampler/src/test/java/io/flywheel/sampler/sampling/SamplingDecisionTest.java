package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingDecisionTest {

    @Test
    void baselineOnly() {
        SamplingDecision in = SamplingDecision.decide(0.009, ApplicableRates.baseline(0.01));
        assertEquals(new SamplingDecision(true, SampleReason.BASELINE, 0.01), in);
        SamplingDecision out = SamplingDecision.decide(0.01, ApplicableRates.baseline(0.01));
        assertEquals(new SamplingDecision(false, SampleReason.BASELINE, 0.01), out);
    }

    @Test
    void highestRateGivesReasonAndProbability() {
        ApplicableRates rates = ApplicableRates.baseline(0.05)
                .with(SampleReason.DRIFT, 0.25)
                .with(SampleReason.SAFETY, 0.5);
        SamplingDecision decision = SamplingDecision.decide(0.4, rates);
        assertEquals(new SamplingDecision(true, SampleReason.SAFETY, 0.5), decision);
        // Under the baseline rate too: still one sample, for the leading reason, at the highest rate.
        assertEquals(new SamplingDecision(true, SampleReason.SAFETY, 0.5), SamplingDecision.decide(0.01, rates));
        assertEquals(new SamplingDecision(false, SampleReason.SAFETY, 0.5), SamplingDecision.decide(0.5, rates));
    }

    @Test
    void aBoostRateBelowTheBaselineLeavesTheBaselineInCharge() {
        ApplicableRates rates = ApplicableRates.baseline(0.3).with(SampleReason.DRIFT, 0.2);
        assertEquals(new SamplingDecision(true, SampleReason.BASELINE, 0.3), SamplingDecision.decide(0.25, rates));
    }

    @Test
    void tiesGoToTheMoreSpecificReason() {
        double r = 0.5;
        ApplicableRates all = ApplicableRates.baseline(r).with(SampleReason.DRIFT, r).with(SampleReason.SAFETY, r)
                .with(SampleReason.NEGATIVE_FEEDBACK, r);
        assertEquals(SampleReason.NEGATIVE_FEEDBACK, SamplingDecision.decide(0.1, all).reason());
        assertEquals(SampleReason.SAFETY, SamplingDecision.decide(0.1, all.without(SampleReason.NEGATIVE_FEEDBACK)).reason());
        assertEquals(SampleReason.DRIFT, SamplingDecision.decide(0.1,
                all.without(SampleReason.NEGATIVE_FEEDBACK).without(SampleReason.SAFETY)).reason());
        assertEquals(SampleReason.BASELINE, SamplingDecision.decide(0.1, ApplicableRates.baseline(r)).reason());
        // A zero-rate special reason still outranks a zero baseline, but samples nothing.
        SamplingDecision zero = SamplingDecision.decide(0.0, ApplicableRates.baseline(0.0).with(SampleReason.DRIFT, 0.0));
        assertEquals(new SamplingDecision(false, SampleReason.DRIFT, 0.0), zero);
    }

    @Test
    void rateOneAlwaysSamplesRateZeroNever() {
        assertTrue(SamplingDecision.decide(Math.nextDown(1.0), ApplicableRates.baseline(1.0)).sampled());
        assertFalse(SamplingDecision.decide(0.0, ApplicableRates.baseline(0.0)).sampled());
    }

    @Test
    void rejectsRatesAndDrawsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> ApplicableRates.baseline(1.01));
        assertThrows(IllegalArgumentException.class, () -> ApplicableRates.baseline(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ApplicableRates.baseline(0.1).with(SampleReason.SAFETY, -0.1));
        assertThrows(IllegalArgumentException.class, () -> SamplingDecision.decide(1.0, ApplicableRates.baseline(0.1)));
        assertThrows(IllegalArgumentException.class, () -> ApplicableRates.baseline(0.1).without(SampleReason.BASELINE));
    }

    /** Pinned from Python's hashlib, see {@link SampleId} for the definition. */
    @Test
    void sampleIdMatchesVectorsComputedIndependently() {
        assertEquals("8f6fac340eb787ac058ffec6f8bdac6e", SampleId.of("conv-1", "cmp-1", SampleReason.BASELINE));
        assertEquals("6cd72bea2f50b9dc1654b2a25970ca8e", SampleId.of("conv-1", "cmp-1", SampleReason.NEGATIVE_FEEDBACK));
        assertEquals("4fada3c8e368e2fc9f2d4a16a303a29a", SampleId.of("Gespräch-ß", "会话-🚀", SampleReason.SAFETY));
    }

    @Test
    void sampleIdIsTheSameForTheSameCompletionAndReasonOnly() {
        SamplingDecision decision = SamplingDecision.decide(0.1, ApplicableRates.baseline(0.2));
        assertEquals(decision.sampleId("c", "x"), SampleId.of("c", "x", SampleReason.BASELINE));
        assertEquals(decision.sampleId("c", "x"),
                SamplingDecision.decide(0.15, ApplicableRates.baseline(0.9)).sampleId("c", "x"),
                "a re-delivery decided at another rate is still the same sample");
        Set<String> ids = new HashSet<>();
        for (SampleReason reason : SampleReason.values()) {
            ids.add(SampleId.of("c", "x", reason));
        }
        ids.add(SampleId.of("c", "y", SampleReason.BASELINE));
        ids.add(SampleId.of("d", "x", SampleReason.BASELINE));
        ids.add(SampleId.of("cx", "", SampleReason.BASELINE));
        ids.add(SampleId.of("", "cx", SampleReason.BASELINE));
        assertEquals(8, ids.size(), "no two (conversation, completion, reason) share an id, even by concatenation");
        assertNotEquals(SampleId.of("a\0b", "c", SampleReason.BASELINE), SampleId.of("a", "b\0c", SampleReason.BASELINE));
    }
}
