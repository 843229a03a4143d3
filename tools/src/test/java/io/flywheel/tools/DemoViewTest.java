package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.CohortBucket;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.StratumStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DemoViewTest {

    private static final Instant START = Instant.parse("2026-11-27T10:00:00Z");
    private static final String DEGRADING = "mistral-large/2411/search-v12";

    private static KeyStats key(String model, String version, String prompt, long up, long down) {
        double n = up + down;
        return KeyStats.newBuilder().setKey(ModelKey.newBuilder().setModelName(model).setModelVersion(version).setPromptVersion(prompt))
                .setAllTime(FeedbackAggregate.newBuilder().setThumbsUp(up).setThumbsDown(down).setApprovalRate(up / n)
                        .setApprovalWilsonLower(up / n - 0.05)).build();
    }

    private static MeshSnapshot look(int second, long drift, long negative, long completions, DriftAlert.State state) {
        Map<String, DriftAlert> alerts = state == null ? Map.of() : Map.of(DEGRADING, DriftAlert.newBuilder().setState(state).setZScore(-5.2)
                .setBucketApproval(0.3).setBucketVotes(40).setBaselineApproval(0.84).setBaselineVotes(240)
                .setBucket(CohortBucket.newBuilder().setStart(com.google.protobuf.util.Timestamps.fromSeconds(1_800_000_000))).build());
        return new MeshSnapshot(START.plusSeconds(second),
                List.of(key("gpt-4o", "2024-08-06", "support-v7", 860, 140), key("mistral-large", "2411", "search-v12", 500, 500)),
                alerts,
                List.of(StratumStats.newBuilder().setStratum("mistral-large").setSeen(1000).putSampledByReason("DRIFT", drift)
                        .putSampledByReason("NEGATIVE_FEEDBACK", negative).build()),
                Optional.empty(), List.of(), Map.of("llm.completions", completions, "safety.verdicts", completions, "eval-sampler.dlq", 2L),
                Map.of(SafetyVerdict.Decision.ALLOW, 90L, SafetyVerdict.Decision.BLOCK, 1L), Map.of());
    }

    @Test
    void aFrameShowsRatesRankingAlertsAndWhenTheLoopClosed() {
        DemoView view = new DemoView(START, DEGRADING, "mistral-large", "test traffic");
        String first = String.join("\n", view.frame(look(2, 0, 0, 0, null), "sent 0"));
        assertTrue(first.contains("NEGATIVE_FEEDBACK samples not yet"), first);
        assertTrue(first.contains("Drift alerts firing: none"), first);

        view.frame(look(4, 0, 3, 80, null), "sent 80");
        String later = String.join("\n", view.frame(look(8, 12, 9, 240, DriftAlert.State.FIRING), "sent 240"));
        assertEquals(Optional.of(Duration.ofSeconds(4)), view.negativeFeedbackAt());
        assertEquals(Optional.of(Duration.ofSeconds(8)), view.alertAt());
        assertEquals(Optional.of(Duration.ofSeconds(8)), view.driftSamplesAt());
        assertTrue(later.contains("NEGATIVE_FEEDBACK samples at 0:04"), later);
        // 240 completions in 6 s since the first look kept for rates
        assertTrue(later.matches("(?s).*safety-filter\\s+40\\.0\\s+40\\.0\\s+0.*"), later);
        assertTrue(later.matches("(?s).*eval-sampler\\s+0\\.0\\s+0\\.0\\s+2.*"), later);
        assertTrue(later.indexOf("gpt-4o/2024-08-06/support-v7") < later.indexOf(DEGRADING + " *"), "ranked by Wilson lower bound:\n" + later);
        assertTrue(later.contains("    " + DEGRADING + "  FIRING"), later);
        assertTrue(later.contains("12 (+12)") && later.contains("9 (+9)"), later);
        assertTrue(later.contains("ALLOW 90 · FLAG 0 · REDACT 0 · BLOCK 1"), later);
    }

    @Test
    void wilsonBoundsEncloseTheApproval() {
        FeedbackAggregate aggregate = FeedbackAggregate.newBuilder().setThumbsUp(80).setThumbsDown(20).setApprovalRate(0.8)
                .setApprovalWilsonLower(0.7112).build();
        // Wilson 95 % for 80 of 100: [71.1 %, 86.7 %]
        assertEquals("[71.1–86.7 %]", DemoView.wilson(aggregate));
        assertEquals("████████████████████░░░░", DemoView.bar(0.83));
    }
}
