package io.flywheel.verification.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.verification.workload.Planned;
import io.flywheel.verification.workload.Workload;
import io.flywheel.verification.workload.WorkloadSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The verifier must fail on a single lost, duplicated or altered output: a green run means
 * something only if a red one is possible. The outputs of a flawless mesh are built here from the
 * workload, then spoiled one record at a time.
 */
class VerifierTest {

    private static final WorkloadSpec SPEC = WorkloadSpec.of("t", 42, 6000, Instant.parse("2026-11-27T12:34:00Z"));
    private static final SamplerParameters PARAMETERS = SamplerParameters.forRun("test-salt");

    /** What a flawless mesh commits for the workload, as calls on a verifier. */
    private static List<Consumer<Verifier>> flawlessOutputs(Expectations e) {
        List<Consumer<Verifier>> outputs = new ArrayList<>();
        Workload workload = new Workload(SPEC);
        while (workload.hasNext()) {
            Planned record = workload.next();
            if (!record.isValidCompletion()) {
                continue;
            }
            Completion completion = record.completion();
            Expectations.ExpectedCompletion c = e.completions.get(completion.getCompletionId());
            SafetyVerdict verdict = SafetyVerdict.newBuilder().setCompletionId(c.completionId)
                    .setConversationId(c.conversationId).setDecision(c.decision).build();
            outputs.add(v -> v.verdict(verdict));
            if (c.decision == Decision.BLOCK) {
                outputs.add(v -> v.quarantined(QuarantinedCompletion.newBuilder().setCompletion(completion).setVerdict(verdict).build()));
                continue;
            }
            ScreenedCompletion screened = ScreenedCompletion.newBuilder().setCompletion(completion).setVerdict(verdict).build();
            outputs.add(v -> v.screened(screened));
            boolean flagged = c.decision != Decision.ALLOW;
            if (flagged || c.u < PARAMETERS.baseRate()) {
                String reason = flagged ? "SAFETY" : "BASELINE";
                outputs.add(v -> v.sample(sample(c, screened, reason, flagged ? 1.0 : PARAMETERS.baseRate(), null)));
            }
            if (!c.boostTriggers.isEmpty()) {
                String trigger = c.boostTriggers.iterator().next();
                outputs.add(v -> v.sample(sample(c, screened, "NEGATIVE_FEEDBACK", 1.0, trigger)));
            }
        }
        e.aggregates.forEach((key, t) -> {
            FeedbackAggregate.Builder a = FeedbackAggregate.newBuilder().setThumbsUp(t.up).setThumbsDown(t.down)
                    .setRatingCount(t.ratingCount).setRatingSum(t.ratingSum).setRegenerations(t.regenerations).setCopies(t.copies)
                    .putAllReportsByReason(t.reports)
                    .setApprovalRate(t.up + t.down == 0 ? 0 : (double) t.up / (t.up + t.down));
            for (long n : t.histogram) {
                a.addRatingHistogram(n);
            }
            outputs.add(v -> v.aggregate(key, a.build()));
        });
        e.deadLetters.forEach((topic, ids) -> ids.forEach(id -> outputs.add(v -> v.deadLetter(topic, id))));
        for (String topic : List.of("safety.verdicts", "eval.samples")) {
            for (int p = 0; p < 6; p++) {
                int partition = p;
                outputs.add(v -> v.sentinel(topic, partition, true));
            }
        }
        return outputs;
    }

    private static EvalSample sample(Expectations.ExpectedCompletion c, ScreenedCompletion screened, String reason,
                                     double probability, String trigger) {
        EvalSample.Builder sample = EvalSample.newBuilder().setCompletion(screened).setReason(EvalSample.Reason.valueOf(reason))
                .setInclusionProbability(probability).setStratum(c.stratum)
                .setSampleId(Expectations.sampleId(c.conversationId, c.completionId, reason));
        if (trigger != null) {
            sample.setTriggeringFeedback(FeedbackEvent.newBuilder().setFeedbackId(trigger));
        }
        return sample.build();
    }

    private static Map<String, Check> verify(List<Consumer<Verifier>> outputs, Expectations e) {
        Verifier verifier = new Verifier(e);
        outputs.forEach(o -> o.accept(verifier));
        return verifier.checks().stream().collect(Collectors.toMap(c -> c.name, c -> c));
    }

    private static Expectations expectations() {
        return Expectations.of(new Workload(SPEC), PARAMETERS);
    }

    @Test
    void theWorkloadHasEveryIngredient() {
        Expectations e = expectations();
        assertTrue(e.records() >= 6000);
        assertTrue(e.hostile() > 20 && e.hostile() < 150, "about 1 % hostile: " + e.hostile());
        assertTrue(e.completions.values().stream().anyMatch(c -> c.decision == Decision.BLOCK));
        assertTrue(e.completions.values().stream().anyMatch(c -> c.decision == Decision.REDACT));
        assertTrue(e.completions.values().stream().anyMatch(c -> c.decision == Decision.FLAG));
        assertTrue(e.completions.values().stream().anyMatch(c -> !c.boostTriggers.isEmpty()));
        assertTrue(e.completions.values().stream().anyMatch(c -> c.decision == Decision.ALLOW && c.u < PARAMETERS.baseRate()));
        assertTrue(e.aggregates.keySet().stream().anyMatch(k -> k.contains("@")), "bucket aggregates");
    }

    @Test
    void aFlawlessMeshPasses() {
        Expectations e = expectations();
        Map<String, Check> checks = verify(flawlessOutputs(e), e);
        checks.values().forEach(c -> assertTrue(c.passed(), c + " " + c.examples()));
        assertTrue(checks.get("safety.verdicts: one per valid completion, right decision").matched() > 1000);
    }

    @Test
    void aLostVerdictFails() {
        Expectations e = expectations();
        List<Consumer<Verifier>> outputs = flawlessOutputs(e);
        outputs.remove(0);
        Check verdicts = verify(outputs, e).get("safety.verdicts: one per valid completion, right decision");
        assertFalse(verdicts.passed());
        assertEquals(1, verdicts.lost());
    }

    @Test
    void aDuplicatedSampleFails() {
        Expectations e = expectations();
        List<Consumer<Verifier>> outputs = flawlessOutputs(e);
        Expectations.ExpectedCompletion c = e.completions.values().stream()
                .filter(x -> !x.boostTriggers.isEmpty()).findFirst().orElseThrow();
        // The same boost delivered a second time, as by a transaction that was not fenced.
        EvalSample again = sample(c, ScreenedCompletion.newBuilder().setCompletion(Completion.newBuilder()
                .setCompletionId(c.completionId)).build(), "NEGATIVE_FEEDBACK", 1.0, c.boostTriggers.iterator().next());
        outputs.add(v -> v.sample(again));
        Check check = verify(outputs, e).get("eval.samples NEGATIVE_FEEDBACK: justified, once");
        assertFalse(check.passed());
        assertEquals(1, check.duplicated());
    }

    @Test
    void anAlteredAggregateFails() {
        Expectations e = expectations();
        List<Consumer<Verifier>> outputs = flawlessOutputs(e);
        String key = e.aggregates.keySet().stream().filter(k -> e.aggregates.get(k).up > 0).sorted().findFirst().orElseThrow();
        Expectations.Tally t = e.aggregates.get(key);
        // A double-counted thumb up, as after a replay that was not exactly once.
        outputs.add(v -> v.aggregate(key, FeedbackAggregate.newBuilder().setThumbsUp(t.up + 1).setThumbsDown(t.down)
                .setRatingCount(t.ratingCount).setRatingSum(t.ratingSum).addAllRatingHistogram(java.util.Arrays.stream(t.histogram).boxed().toList())
                .setRegenerations(t.regenerations).setCopies(t.copies).putAllReportsByReason(t.reports).build()));
        Check check = verify(outputs, e).get("feedback.aggregates: every key equal");
        assertFalse(check.passed());
        assertEquals(1, check.wrong());
    }

    @Test
    void aWrongDecisionAndAnUnjustifiedBoostFail() {
        Expectations e = expectations();
        List<Consumer<Verifier>> outputs = flawlessOutputs(e);
        Expectations.ExpectedCompletion allowed = e.completions.values().stream()
                .filter(c -> c.decision == Decision.ALLOW && c.boostTriggers.isEmpty()).findFirst().orElseThrow();
        outputs.add(v -> v.verdict(SafetyVerdict.newBuilder().setCompletionId(allowed.completionId).setDecision(Decision.FLAG).build()));
        outputs.add(v -> v.sample(sample(allowed, ScreenedCompletion.newBuilder()
                .setCompletion(Completion.newBuilder().setCompletionId(allowed.completionId)).build(), "NEGATIVE_FEEDBACK", 1.0, "nobody")));
        Map<String, Check> checks = verify(outputs, e);
        Check verdicts = checks.get("safety.verdicts: one per valid completion, right decision");
        assertEquals(1, verdicts.duplicated());
        assertEquals(1, verdicts.wrong());
        assertEquals(1, checks.get("eval.samples NEGATIVE_FEEDBACK: justified, once").unexpected());
    }

    @Test
    void aDeadLetterLostOrRepeatedAndAHangingPartitionFail() {
        Expectations e = expectations();
        List<Consumer<Verifier>> outputs = flawlessOutputs(e);
        String topic = "feedback-aggregator.dlq";
        String id = e.deadLetters.get(topic).iterator().next();
        outputs.add(v -> v.deadLetter(topic, id));
        outputs.add(v -> v.deadLetter("safety-filter.dlq", null));
        outputs.add(v -> v.sentinel("eval.samples", 3, false));
        Map<String, Check> checks = verify(outputs, e);
        assertEquals(1, checks.get(topic + ": each malformed record once").duplicated());
        assertEquals(1, checks.get("safety-filter.dlq: each malformed record once").unexpected());
        assertEquals(1, checks.get("sentinels read back (no hanging transaction)").lost());
    }
}
