package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.config.ConfigFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionSamplerTest {

    private static final long MIN = 60_000;
    private static final long T0 = 1_700_000_000_000L;

    private final SamplingPolicy policy = ConfigFixtures.policy(Map.of(
            "salt", "unit",
            "default.base-rate", "0.05",
            "safety-rate", "0.5",
            "drift-rate", "0.3",
            "negative-feedback-rate", "0.8",
            "boost-window", "10m",
            "boost-grace", "1m"));
    private final ConversationDraw draw = new ConversationDraw("unit");
    private final DriftAlertBoard board = new DriftAlertBoard();

    private PartitionSampler sampler() {
        return new PartitionSampler(policy, 6, new InMemorySamplerMemory(), board);
    }

    /** The first conversation id "prefix-i" whose draw lies in [lo, hi). */
    private String conversationWithDraw(String prefix, double lo, double hi) {
        for (int i = 0; ; i++) {
            double u = draw.u(prefix + i);
            if (u >= lo && u < hi) {
                return prefix + i;
            }
        }
    }

    @Test
    void baselineSampleCarriesItsRateIdStratumAndTime() {
        String conversation = conversationWithDraw("b", 0.0, 0.05);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        EvalSample sample = single(sampler().onCompletion(c));
        assertEquals(SampleId.of(conversation, "x", SampleReason.BASELINE), sample.getSampleId());
        assertEquals(EvalSample.Reason.BASELINE, sample.getReason());
        assertEquals(0.05, sample.getInclusionProbability());
        assertEquals("m", sample.getStratum());
        assertEquals(c, sample.getCompletion());
        assertEquals(c.getVerdict(), sample.getVerdict());
        assertEquals(T0, Timestamps.toMillis(sample.getSampledAt()));
        assertTrue(sampler().onCompletion(Fixtures.completion(conversationWithDraw("n", 0.05, 1.0), "x", "m", T0)).isEmpty());
    }

    @Test
    void flaggedAndRedactedCompletionsHaveTheSafetyRate() {
        String conversation = conversationWithDraw("s", 0.05, 0.5);
        for (SafetyVerdict.Decision decision : List.of(SafetyVerdict.Decision.FLAG, SafetyVerdict.Decision.REDACT)) {
            EvalSample sample = single(sampler().onCompletion(Fixtures.completion(conversation, "x", "m", "", T0, decision)));
            assertEquals(EvalSample.Reason.SAFETY, sample.getReason());
            assertEquals(0.5, sample.getInclusionProbability());
        }
        assertTrue(sampler().onCompletion(Fixtures.completion(conversation, "x", "m", "", T0, SafetyVerdict.Decision.ALLOW)).isEmpty());
        // Under the baseline rate too, a flagged completion is one SAFETY sample at the higher rate.
        String low = conversationWithDraw("s", 0.0, 0.05);
        EvalSample sample = single(sampler().onCompletion(Fixtures.completion(low, "x", "m", "", T0, SafetyVerdict.Decision.FLAG)));
        assertEquals(EvalSample.Reason.SAFETY, sample.getReason());
    }

    @Test
    void aModelUnderAnActiveDriftAlertHasTheDriftRateUntilItRecovers() {
        String conversation = conversationWithDraw("d", 0.05, 0.3);
        PartitionSampler sampler = sampler();
        board.apply(alert(DriftAlert.State.FIRING, T0));
        EvalSample sample = single(sampler.onCompletion(Fixtures.completion(conversation, "x1", "m", T0)));
        assertEquals(EvalSample.Reason.DRIFT, sample.getReason());
        assertEquals(0.3, sample.getInclusionProbability());
        assertTrue(sampler.onCompletion(Fixtures.completion(conversation, "y1", "other-model", T0)).isEmpty(),
                "only the alerting model key");

        board.apply(alert(DriftAlert.State.RECOVERED, T0 + MIN));
        assertTrue(sampler.onCompletion(Fixtures.completion(conversation, "x2", "m", T0 + 2 * MIN)).isEmpty(),
                "recovery restores the baseline rate");
        board.apply(alert(DriftAlert.State.FIRING, T0 - MIN)); // an older alert arriving late changes nothing
        assertTrue(sampler.onCompletion(Fixtures.completion(conversation, "x3", "m", T0 + 3 * MIN)).isEmpty());
    }

    @Test
    void negativeFeedbackGivesTheSameSampleInEitherArrivalOrder() {
        String conversation = conversationWithDraw("f", 0.05, 0.8);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        FeedbackEvent thumbDown = Fixtures.thumbDown("fb-1", c, T0 + 3 * MIN);

        PartitionSampler completionFirst = sampler();
        assertTrue(completionFirst.onCompletion(c).isEmpty());
        EvalSample a = single(completionFirst.onFeedback(thumbDown));

        PartitionSampler feedbackFirst = sampler();
        assertTrue(feedbackFirst.onFeedback(thumbDown).isEmpty());
        EvalSample b = single(feedbackFirst.onCompletion(c));

        assertEquals(a, b);
        assertEquals(EvalSample.Reason.NEGATIVE_FEEDBACK, a.getReason());
        assertEquals(0.8, a.getInclusionProbability());
        assertEquals(thumbDown, a.getTriggeringFeedback());
        assertEquals(T0 + 3 * MIN, Timestamps.toMillis(a.getSampledAt()));
        assertEquals(SampleId.of(conversation, "x", SampleReason.NEGATIVE_FEEDBACK), a.getSampleId());

        assertEquals(completionFirst.stats(), feedbackFirst.stats());
        assertEquals(1, a(completionFirst).sampledNegativeFeedback());
        assertEquals(1, completionFirst.feedbackStats().count(BoostWindow.Join.BOOSTED));
        assertEquals(1, feedbackFirst.feedbackStats().count(BoostWindow.Join.HELD));
        assertEquals(1, feedbackFirst.feedbackStats().count(BoostWindow.Join.BOOSTED));

        // More negative feedback on the same completion: counted, never a second sample.
        FeedbackEvent report = Fixtures.feedback("fb-2", c, T0 + 4 * MIN)
                .setReported(FeedbackEvent.Reported.newBuilder().setReason("wrong")).build();
        assertTrue(completionFirst.onFeedback(report).isEmpty());
        assertTrue(feedbackFirst.onFeedback(report).isEmpty());
        assertEquals(1, completionFirst.feedbackStats().count(BoostWindow.Join.ALREADY_BOOSTED));
    }

    @Test
    void aBaselineSampleCanAlsoBeBoostedOnceWithItsOwnId() {
        String conversation = conversationWithDraw("bb", 0.0, 0.05);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        PartitionSampler sampler = sampler();
        EvalSample baseline = single(sampler.onCompletion(c));
        EvalSample boosted = single(sampler.onFeedback(Fixtures.feedback("fb", c, T0 + MIN).setRating(1).build()));
        assertEquals(EvalSample.Reason.BASELINE, baseline.getReason());
        assertEquals(EvalSample.Reason.NEGATIVE_FEEDBACK, boosted.getReason());
        assertNotEquals(baseline.getSampleId(), boosted.getSampleId());
        assertEquals(0.8, boosted.getInclusionProbability(), "the highest rate known for the completion");
    }

    @Test
    void feedbackOutsideTheWindowIsCountedNotSampled() {
        String conversation = conversationWithDraw("o", 0.05, 0.8);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        PartitionSampler sampler = sampler();
        sampler.onCompletion(c);
        assertTrue(sampler.onFeedback(Fixtures.thumbDown("late", c, T0 + 11 * MIN)).isEmpty());
        assertEquals(1, sampler.feedbackStats().count(BoostWindow.Join.OUTSIDE_WINDOW));
        assertEquals(1, sampler.feedbackStats().negative());
        assertEquals(0, a(sampler).sampledNegativeFeedback());

        PartitionSampler feedbackFirst = sampler();
        assertTrue(feedbackFirst.onFeedback(Fixtures.thumbDown("late", c, T0 + 11 * MIN)).isEmpty());
        assertTrue(feedbackFirst.onCompletion(c).isEmpty());
        assertEquals(1, feedbackFirst.feedbackStats().count(BoostWindow.Join.OUTSIDE_WINDOW));
    }

    @Test
    void positiveFeedbackIsIgnoredAndHeldFeedbackThatNeverMeetsItsCompletionExpires() {
        String conversation = conversationWithDraw("p", 0.05, 0.8);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        PartitionSampler sampler = sampler();
        assertTrue(sampler.onFeedback(Fixtures.feedback("up", c, T0 + MIN).setThumb(FeedbackEvent.Thumb.THUMB_UP).build()).isEmpty());
        assertEquals(0, sampler.feedbackStats().negative());
        sampler.onFeedback(Fixtures.thumbDown("down", c, T0 + MIN));
        assertEquals(1, sampler.feedbackStats().count(BoostWindow.Join.HELD));
        // Stream time moves on (other conversations) past created_at + window + grace.
        sampler.onCompletion(Fixtures.completion(conversationWithDraw("q", 0.9, 1.0), "y", "m", T0 + 11 * MIN));
        assertEquals(1, sampler.feedbackStats().unmatchedExpired());
        assertTrue(sampler.onCompletion(c).isEmpty(), "the completion, now too late, is not boosted");
    }

    @Test
    void aReDeliveredCompletionIsNotSampledOrCountedTwice() {
        String conversation = conversationWithDraw("r", 0.0, 0.05);
        ScreenedCompletion c = Fixtures.completion(conversation, "x", "m", T0);
        PartitionSampler sampler = sampler();
        assertEquals(1, sampler.onCompletion(c).size());
        assertTrue(sampler.onCompletion(c).isEmpty());
        StratumSummary stats = a(sampler);
        assertEquals(1, stats.seen());
        assertEquals(1, stats.sampled());
        assertEquals(1, stats.sampledBy(SampleReason.BASELINE));
    }

    @Test
    void statsOfTasksMerge() {
        PartitionSampler one = sampler();
        PartitionSampler two = sampler();
        for (int i = 0; i < 2000; i++) {
            (i % 2 == 0 ? one : two).onCompletion(Fixtures.completion("conv-" + i, "x", "m", T0 + i));
        }
        StratumSummary merged = a(one).merge(a(two));
        assertEquals(2000, merged.seen());
        assertEquals(a(one).sampled() + a(two).sampled(), merged.sampled());
        assertEquals(0.05, merged.targetRate(), 1e-12);
        assertEquals(0.05, merged.currentRate(), 1e-12);
        assertTrue(merged.budgetLeft().isEmpty(), "no budget configured");
        assertEquals(Map.of(SampleReason.NEGATIVE_FEEDBACK, 0L, SampleReason.SAFETY, 0L, SampleReason.DRIFT, 0L,
                SampleReason.BASELINE, merged.sampled()), merged.sampledByReason());
    }

    @Test
    void budgetLeftIsTheTasksShareMinusItsDraws() {
        SamplingPolicy budgeted = ConfigFixtures.policy(Map.of("salt", "unit", "default.base-rate", "0.05",
                "default.budget-per-period", "600"));
        PartitionSampler sampler = new PartitionSampler(budgeted, 6, new InMemorySamplerMemory(), DriftStatus.NONE);
        for (int i = 0; i < 500; i++) {
            sampler.onCompletion(Fixtures.completion("conv-" + i, "x", "m", T0 + i));
        }
        StratumSummary stats = a(sampler);
        assertEquals(100 - stats.baselineDraws(), stats.budgetLeft().orElseThrow());
    }

    private static StratumSummary a(PartitionSampler sampler) {
        return sampler.stats().get(StratumKey.ofModel("m"));
    }

    private static EvalSample single(List<EvalSample> samples) {
        assertEquals(1, samples.size(), samples::toString);
        return samples.get(0);
    }

    private static DriftAlert alert(DriftAlert.State state, long emittedAtMs) {
        return DriftAlert.newBuilder()
                .setModel(ModelRef.newBuilder().setName("m").setVersion("v1"))
                .setPromptVersion("p1")
                .setState(state)
                .setEmittedAt(Timestamps.fromMillis(emittedAtMs))
                .build();
    }
}
