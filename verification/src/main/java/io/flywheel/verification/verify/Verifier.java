package io.flywheel.verification.verify;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.verification.verify.Expectations.ExpectedCompletion;
import io.flywheel.verification.verify.Expectations.Tally;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Compares what the mesh committed with {@link Expectations}. Outputs are fed one record at a
 * time (a run's outputs do not fit in memory as messages); {@link #checks()} then counts, per
 * output, what was lost, duplicated, wrong or unexpected.
 *
 * <p>Longer than most classes here: one check per output topic, side by side, so a reader can see
 * that every output is checked the same way.
 */
public final class Verifier {

    /** Exactly-once bookkeeping of one output: how many times each id was seen, and which were wrong. */
    private static final class Tally1 {
        final Map<String, Integer> seen = new HashMap<>();
        final Map<String, String> wrong = new HashMap<>();
        final List<String> unexpected = new ArrayList<>();

        void see(String id, boolean known, String wrongWhy) {
            if (!known) {
                unexpected.add(id);
                return;
            }
            seen.merge(id, 1, Integer::sum);
            if (wrongWhy != null) {
                wrong.putIfAbsent(id, wrongWhy);
            }
        }

        Check finish(String name, Set<String> expected) {
            Check check = new Check(name);
            check.expected = expected.size();
            for (String id : new TreeSet<>(expected)) {
                int n = seen.getOrDefault(id, 0);
                if (n == 0) {
                    check.lost(id);
                    continue;
                }
                if (n > 1) {
                    check.duplicated(id, n - 1);
                }
                if (wrong.containsKey(id)) {
                    check.wrong(id + ": " + wrong.get(id));
                } else if (n == 1) {
                    check.matched++;
                }
            }
            unexpected.forEach(check::unexpected);
            return check;
        }
    }

    private final Expectations expected;
    private final Tally1 verdicts = new Tally1();
    private final Tally1 screened = new Tally1();
    private final Tally1 quarantined = new Tally1();
    private final Map<String, Tally1> samples = new HashMap<>();
    private final Map<String, Tally1> deadLetters = new HashMap<>();
    private final Map<String, Integer> escalations = new HashMap<>();
    private final Map<String, FeedbackAggregate> aggregates = new HashMap<>();
    private final List<String> alerts = new ArrayList<>();
    private final Map<String, Boolean> sentinels = new HashMap<>();
    private final List<String> undecodable = new ArrayList<>();

    public Verifier(Expectations expected) {
        this.expected = expected;
        for (String reason : List.of("BASELINE", "SAFETY", "NEGATIVE_FEEDBACK", "DRIFT")) {
            samples.put(reason, new Tally1());
        }
        expected.deadLetters.keySet().forEach(topic -> deadLetters.put(topic, new Tally1()));
    }

    private Set<String> completionIds(Predicate<ExpectedCompletion> filter) {
        Set<String> ids = new HashSet<>();
        expected.completions.values().stream().filter(filter).forEach(c -> ids.add(c.completionId));
        return ids;
    }

    public void verdict(SafetyVerdict verdict) {
        ExpectedCompletion c = expected.completions.get(verdict.getCompletionId());
        verdicts.see(verdict.getCompletionId(), c != null,
                c == null || c.decision == verdict.getDecision() ? null : "decision " + verdict.getDecision() + ", expected " + c.decision);
    }

    public void screened(ScreenedCompletion value) {
        String id = value.getCompletion().getCompletionId();
        ExpectedCompletion c = expected.completions.get(id);
        boolean known = c != null && c.decision != Decision.BLOCK;
        screened.see(id, known, known && c.decision != value.getVerdict().getDecision()
                ? "decision " + value.getVerdict().getDecision() + ", expected " + c.decision : null);
    }

    public void quarantined(QuarantinedCompletion value) {
        String id = value.getCompletion().getCompletionId();
        ExpectedCompletion c = expected.completions.get(id);
        quarantined.see(id, c != null && c.decision == Decision.BLOCK, null);
    }

    public void escalation(UserEscalation escalation) {
        escalations.merge(escalation.getUserId() + "@" + escalation.getWindowStart().getSeconds(), 1, Integer::sum);
    }

    /** The latest value per key of the compacted aggregates topic; null is a tombstone. */
    public void aggregate(String key, FeedbackAggregate value) {
        if (value == null) {
            aggregates.remove(key);
        } else {
            aggregates.put(key, value);
        }
    }

    public void alert(String key, DriftAlert alert) {
        if (alert != null) {
            alerts.add(key + " " + alert.getState());
        }
    }

    public void sample(EvalSample sample) {
        String reason = sample.getReason().name();
        String id = sample.getCompletion().getCompletion().getCompletionId();
        ExpectedCompletion c = expected.completions.get(id);
        Tally1 tally = samples.computeIfAbsent(reason, r -> new Tally1());
        boolean known = c != null && expectedReasons(c).contains(reason);
        String wrong = null;
        if (known) {
            double probability = reason.equals("BASELINE") ? expected.parameters.baseRate()
                    : reason.equals("SAFETY") ? expected.parameters.safetyRate() : expected.parameters.negativeFeedbackRate();
            String sampleId = Expectations.sampleId(c.conversationId, c.completionId, reason);
            if (sample.getInclusionProbability() != probability) {
                wrong = "inclusion_probability " + sample.getInclusionProbability() + ", expected " + probability;
            } else if (!sample.getSampleId().equals(sampleId)) {
                wrong = "sample_id " + sample.getSampleId() + ", expected " + sampleId;
            } else if (!sample.getStratum().equals(c.stratum)) {
                wrong = "stratum " + sample.getStratum() + ", expected " + c.stratum;
            } else if (reason.equals("NEGATIVE_FEEDBACK") && !c.boostTriggers.contains(sample.getTriggeringFeedback().getFeedbackId())) {
                wrong = "triggered by " + sample.getTriggeringFeedback().getFeedbackId() + ", not negative feedback in its window";
            }
        }
        tally.see(id, known, wrong);
    }

    /** The reasons for which a completion must be sampled, each exactly once. */
    private Set<String> expectedReasons(ExpectedCompletion c) {
        Set<String> reasons = new HashSet<>();
        if (c.decision == Decision.BLOCK) {
            return reasons;
        }
        if (c.decision == Decision.FLAG || c.decision == Decision.REDACT) {
            if (c.u < expected.parameters.safetyRate()) {
                reasons.add("SAFETY");
            }
        } else if (c.u < expected.parameters.baseRate()) {
            reasons.add("BASELINE");
        }
        if (!c.boostTriggers.isEmpty() && c.u < expected.parameters.negativeFeedbackRate()) {
            reasons.add("NEGATIVE_FEEDBACK");
        }
        return reasons;
    }

    /** A dead letter, identified by the record header the generator sent (null when it carried none). */
    public void deadLetter(String topic, String recordId) {
        Tally1 tally = deadLetters.computeIfAbsent(topic, t -> new Tally1());
        boolean known = recordId != null && expected.deadLetters.getOrDefault(topic, Set.of()).contains(recordId);
        tally.see(recordId == null ? "(no record header)" : recordId, known, null);
    }

    /** Whether the sentinel written to this partition after the run was read back read_committed. */
    public void sentinel(String topic, int partition, boolean readBack) {
        sentinels.put(topic + "-" + partition, readBack);
    }

    /** A value that could not be decoded as its topic's message. */
    public void undecodable(String topic, String why) {
        undecodable.add(topic + ": " + why);
    }

    public List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        checks.add(verdicts.finish("safety.verdicts: one per valid completion, right decision", completionIds(c -> true)));
        checks.add(screened.finish("llm.completions.screened: one per ALLOW/FLAG/REDACT", completionIds(c -> c.decision != Decision.BLOCK)));
        checks.add(quarantined.finish("safety.quarantine: one per BLOCK", completionIds(c -> c.decision == Decision.BLOCK)));
        checks.add(samples.get("BASELINE").finish("eval.samples BASELINE = the SHA-256 draw", completionIds(c -> expectedReasons(c).contains("BASELINE"))));
        checks.add(samples.get("SAFETY").finish("eval.samples SAFETY", completionIds(c -> expectedReasons(c).contains("SAFETY"))));
        checks.add(samples.get("NEGATIVE_FEEDBACK").finish("eval.samples NEGATIVE_FEEDBACK: justified, once",
                completionIds(c -> expectedReasons(c).contains("NEGATIVE_FEEDBACK"))));
        checks.add(samples.get("DRIFT").finish("eval.samples DRIFT (no alert expected)", Set.of()));
        checks.add(aggregateCheck());
        Check alertCheck = new Check("feedback.alerts (drift disabled: none)");
        alerts.forEach(alertCheck::unexpected);
        checks.add(alertCheck);
        Check escalationCheck = new Check("safety.escalations: once per user and window");
        escalationCheck.expected = escalations.size();
        escalations.forEach((key, n) -> {
            if (n > 1) {
                escalationCheck.duplicated(key, n - 1);
            } else {
                escalationCheck.matched++;
            }
        });
        checks.add(escalationCheck);
        for (String topic : new TreeSet<>(deadLetters.keySet())) {
            checks.add(deadLetters.get(topic).finish(topic + ": each malformed record once",
                    expected.deadLetters.getOrDefault(topic, Set.of())));
        }
        Check sentinelCheck = new Check("sentinels read back (no hanging transaction)");
        sentinelCheck.expected = sentinels.size();
        new java.util.TreeMap<>(sentinels).forEach((partition, ok) -> {
            if (ok) {
                sentinelCheck.matched++;
            } else {
                sentinelCheck.lost(partition);
            }
        });
        checks.add(sentinelCheck);
        Check decoding = new Check("output values decode");
        undecodable.forEach(decoding::wrong);
        checks.add(decoding);
        return checks;
    }

    private Check aggregateCheck() {
        Check check = new Check("feedback.aggregates: every key equal");
        Set<String> keys = new TreeSet<>(expected.aggregates.keySet());
        keys.addAll(aggregates.keySet());
        for (String key : keys) {
            Tally want = expected.aggregates.get(key);
            FeedbackAggregate got = aggregates.get(key);
            if (want == null) {
                if (got != null && !isZero(got)) {
                    check.unexpected(key + " " + describe(got));
                }
                continue;
            }
            check.expected++;
            if (got == null) {
                if (want.isZero()) {
                    check.matched++;
                } else {
                    check.lost(key + " expected " + want);
                }
                continue;
            }
            String difference = difference(want, got);
            if (difference == null) {
                check.matched++;
            } else {
                check.wrong(key + ": " + difference);
            }
        }
        return check;
    }

    private static boolean isZero(FeedbackAggregate a) {
        return a.getThumbsUp() == 0 && a.getThumbsDown() == 0 && a.getRatingCount() == 0 && a.getRegenerations() == 0
                && a.getCopies() == 0 && a.getReportsByReasonMap().values().stream().allMatch(v -> v == 0);
    }

    private static String describe(FeedbackAggregate a) {
        return "up=" + a.getThumbsUp() + " down=" + a.getThumbsDown() + " ratings=" + a.getRatingCount() + "/" + a.getRatingSum()
                + " hist=" + a.getRatingHistogramList() + " regen=" + a.getRegenerations() + " copies=" + a.getCopies()
                + " reports=" + a.getReportsByReasonMap() + " too_late=" + a.getTooLate();
    }

    private static String difference(Tally want, FeedbackAggregate got) {
        long[] histogram = new long[5];
        for (int i = 0; i < Math.min(5, got.getRatingHistogramCount()); i++) {
            histogram[i] = got.getRatingHistogram(i);
        }
        Map<String, Long> reports = new java.util.TreeMap<>();
        got.getReportsByReasonMap().forEach((k, v) -> {
            if (v != 0) {
                reports.put(k, v);
            }
        });
        boolean equal = want.up == got.getThumbsUp() && want.down == got.getThumbsDown() && want.ratingCount == got.getRatingCount()
                && want.ratingSum == got.getRatingSum() && java.util.Arrays.equals(want.histogram, histogram)
                && want.regenerations == got.getRegenerations() && want.copies == got.getCopies() && want.reports.equals(reports)
                && got.getTooLate() == 0 && got.getRatingHistogramCount() <= 5;
        long thumbs = got.getThumbsUp() + got.getThumbsDown();
        double approval = thumbs == 0 ? 0 : (double) got.getThumbsUp() / thumbs;
        if (equal && Math.abs(approval - got.getApprovalRate()) > 1e-9) {
            return "approval_rate " + got.getApprovalRate() + " does not follow from its thumbs (" + approval + ")";
        }
        return equal ? null : "got " + describe(got) + "; expected " + want;
    }
}
