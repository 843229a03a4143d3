package io.flywheel.tools;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.StratumStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The demo's live view: one frame of text per look at the mesh. Rates come from the change since
 * a look about ten seconds earlier; it also notes when the loop first closed (the first
 * NEGATIVE_FEEDBACK sample, the degrading key's drift alert, its first DRIFT sample).
 */
final class DemoView {

    /** A service's input and output topics, for its rates, and its dead-letter topic. */
    record Flow(String service, List<String> in, List<String> out, String deadLetters) {
    }

    static final List<Flow> FLOWS = List.of(
            new Flow("safety-filter", names(Topics.LLM_COMPLETIONS), names(Topics.SAFETY_VERDICTS), deadLetters("safety-filter")),
            new Flow("feedback-aggregator", names(Topics.FEEDBACK_EVENTS), names(Topics.FEEDBACK_AGGREGATES, Topics.FEEDBACK_ALERTS),
                    deadLetters("feedback-aggregator")),
            new Flow("eval-sampler", names(Topics.LLM_COMPLETIONS_SCREENED, Topics.FEEDBACK_EVENTS, Topics.FEEDBACK_ALERTS),
                    names(Topics.EVAL_SAMPLES), deadLetters("eval-sampler")));

    private static List<String> names(TopicSpec<?>... topics) {
        return Arrays.stream(topics).map(TopicSpec::name).toList();
    }

    private static String deadLetters(String applicationId) {
        return Topics.deadLetter(applicationId, TopicsCommand.APPLICATION_DLQS.get(applicationId)).name();
    }

    private static final Duration RATE_SPAN = Duration.ofSeconds(10);
    private static final int BAR = 24;
    private static final double Z95 = 1.959964;

    private final Instant start;
    private final String degradingKey;
    private final String degradingStratum;
    private final String traffic;
    private final Deque<MeshSnapshot> history = new ArrayDeque<>();
    private Duration negativeFeedbackAt;
    private Duration alertAt;
    private Duration driftSamplesAt;

    DemoView(Instant start, String degradingKey, String degradingStratum, String traffic) {
        this.start = start;
        this.degradingKey = degradingKey;
        this.degradingStratum = degradingStratum;
        this.traffic = traffic;
    }

    Optional<Duration> negativeFeedbackAt() {
        return Optional.ofNullable(negativeFeedbackAt);
    }

    Optional<Duration> alertAt() {
        return Optional.ofNullable(alertAt);
    }

    Optional<Duration> driftSamplesAt() {
        return Optional.ofNullable(driftSamplesAt);
    }

    /** Takes in a new look and returns the frame to show. */
    List<String> frame(MeshSnapshot now, String trafficState) {
        Duration elapsed = Duration.between(start, now.at());
        if (negativeFeedbackAt == null && now.sampled("NEGATIVE_FEEDBACK") > 0) {
            negativeFeedbackAt = elapsed;
        }
        if (alertAt == null && now.firing().contains(degradingKey)) {
            alertAt = elapsed;
        }
        if (driftSamplesAt == null && now.sampled(degradingStratum, "DRIFT") > 0) {
            driftSamplesAt = elapsed;
        }
        MeshSnapshot before = history.isEmpty() ? null : history.peekFirst();
        history.addLast(now);
        while (history.size() > 1 && Duration.between(history.peekFirst().at(), now.at()).compareTo(RATE_SPAN) > 0) {
            history.removeFirst();
        }

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Flywheel demo  %s  %s", clock(elapsed), traffic));
        lines.add("  " + trafficState);
        lines.add(String.format("  loop closed: NEGATIVE_FEEDBACK samples %s · drift alert on %s %s · its DRIFT samples %s",
                at(negativeFeedbackAt), degradingKey, at(alertAt), at(driftSamplesAt)));
        lines.add("");

        Table flows = new Table("SERVICE", "IN/S", "OUT/S", "DLQ", "READS → WRITES");
        for (Flow flow : FLOWS) {
            flows.row(flow.service(), rate(before, now, flow.in()), rate(before, now, flow.out()),
                    now.records().getOrDefault(flow.deadLetters(), 0L), String.join(" + ", flow.in()) + " → " + String.join(" + ", flow.out()));
        }
        flows.lines().forEach(line -> lines.add("  " + line));
        lines.add("");

        lines.add("  Models by approval (all-time thumbs; bar = approval, [Wilson 95 % bounds])");
        List<KeyStats> ranked = new ArrayList<>(now.keys());
        ranked.sort(Comparator.comparingDouble((KeyStats k) -> -k.getAllTime().getApprovalWilsonLower()));
        Table models = new Table("MODEL KEY", "APPROVAL", "", "WILSON", "UP", "DOWN", "DRIFT");
        for (KeyStats key : ranked) {
            FeedbackAggregate all = key.getAllTime();
            String label = MeshQueries.label(key.getKey());
            DriftAlert alert = now.alerts().get(label);
            models.row(label + (label.equals(degradingKey) ? " *" : ""), bar(all.getApprovalRate()), QueryCommand.percent(all.getApprovalRate()),
                    wilson(all), all.getThumbsUp(), all.getThumbsDown(), alert == null ? "-" : alert.getState().name());
        }
        models.lines().forEach(line -> lines.add("  " + line));
        lines.add("  * degrades " + "(its answers' approval falls after a while)");
        lines.add("");

        List<String> firing = now.firing();
        lines.add("  Drift alerts firing: " + (firing.isEmpty() ? "none" : ""));
        for (String key : firing) {
            lines.add("    " + key + "  " + QueryCommand.alertLine(now.alerts().get(key)));
        }
        lines.add("");

        lines.add("  Eval samples by stratum and reason (eval-sampler; change over ~10 s in brackets)");
        Table strata = new Table("STRATUM", "SEEN", "BASELINE", "SAFETY", "DRIFT", "NEG-FEEDBACK", "BUDGET-LEFT");
        for (StratumStats s : now.strata()) {
            strata.row(s.getStratum(), s.getSeen(), counted(before, s, "BASELINE"), counted(before, s, "SAFETY"), counted(before, s, "DRIFT"),
                    counted(before, s, "NEGATIVE_FEEDBACK"), s.hasBudgetLeft() ? Long.toString(s.getBudgetLeft()) : "-");
        }
        strata.lines().forEach(line -> lines.add("  " + line));
        now.feedback().ifPresent(f -> lines.add(negativeFeedback(f)));
        lines.add("");

        Map<SafetyVerdict.Decision, Long> decisions = now.decisions();
        lines.add(String.format("  Safety decisions since the demo started: ALLOW %d · FLAG %d · REDACT %d · BLOCK %d",
                decisions.getOrDefault(SafetyVerdict.Decision.ALLOW, 0L), decisions.getOrDefault(SafetyVerdict.Decision.FLAG, 0L),
                decisions.getOrDefault(SafetyVerdict.Decision.REDACT, 0L), decisions.getOrDefault(SafetyVerdict.Decision.BLOCK, 0L)));
        TreeSet<String> users = new TreeSet<>();
        now.escalations().stream().map(UserEscalation::getUserId).forEach(users::add);
        lines.add(String.format("  Users escalated: %d%s", users.size(), users.isEmpty() ? "" : "  " + abbreviate(users)));
        if (!now.errors().isEmpty()) {
            lines.add("");
            now.errors().forEach((service, error) -> lines.add("  ! " + service + ": " + error));
        }
        return lines;
    }

    private static String negativeFeedback(FeedbackStats f) {
        return String.format("  Negative feedback %d: boosted %d · not drawn %d · covered %d · already boosted %d · held %d · outside window %d",
                f.getNegative(), f.getBoosted(), f.getNotDrawn(), f.getCovered(), f.getAlreadyBoosted(), f.getHeld(), f.getOutsideWindow());
    }

    private static String counted(MeshSnapshot before, StratumStats now, String reason) {
        long count = QueryCommand.reason(now, reason);
        if (before == null) {
            return Long.toString(count);
        }
        long delta = count - before.sampled(now.getStratum(), reason);
        return delta > 0 ? count + " (+" + delta + ")" : Long.toString(count);
    }

    private static String rate(MeshSnapshot before, MeshSnapshot now, List<String> topics) {
        if (before == null) {
            return "-";
        }
        double seconds = Duration.between(before.at(), now.at()).toMillis() / 1000.0;
        long records = topics.stream().mapToLong(t -> now.records().getOrDefault(t, 0L) - before.records().getOrDefault(t, 0L)).sum();
        return seconds <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", records / seconds);
    }

    static String bar(double share) {
        int full = (int) Math.round(Math.max(0, Math.min(1, share)) * BAR);
        return "█".repeat(full) + "░".repeat(BAR - full);
    }

    /** The Wilson score interval at 95 % of the key's thumbs (the service sends the lower bound; the upper follows the same formula). */
    static String wilson(FeedbackAggregate aggregate) {
        long n = aggregate.getThumbsUp() + aggregate.getThumbsDown();
        if (n == 0) {
            return "-";
        }
        double p = (double) aggregate.getThumbsUp() / n;
        double z2 = Z95 * Z95;
        double centre = p + z2 / (2 * n);
        double spread = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        double upper = (centre + spread) / (1 + z2 / n);
        return String.format(Locale.ROOT, "[%.1f–%.1f %%]", 100 * aggregate.getApprovalWilsonLower(), 100 * upper);
    }

    private static String abbreviate(TreeSet<String> users) {
        List<String> shown = users.stream().limit(6).toList();
        return String.join(", ", shown) + (users.size() > shown.size() ? ", …" : "");
    }

    private static String at(Duration elapsed) {
        return elapsed == null ? "not yet" : "at " + clock(elapsed);
    }

    static String clock(Duration elapsed) {
        long seconds = Math.max(0, elapsed.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
