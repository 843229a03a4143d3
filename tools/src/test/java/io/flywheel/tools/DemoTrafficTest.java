package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoTrafficTest {

    private static final Instant START = Instant.parse("2026-11-27T10:00:00Z");
    private static final DemoTraffic.Degradation DEGRADES = new DemoTraffic.Degradation(Duration.ofSeconds(60), Duration.ofSeconds(60), 0.2);

    /** Completions and feedback as the driver sends them: {@code perSecond} completions each second, feedback when due. */
    private record Run(List<Completion> completions, List<FeedbackEvent> feedback) {
    }

    private static Run run(long seed, int seconds, int perSecond) {
        DemoTraffic traffic = new DemoTraffic(seed, START, DEGRADES);
        List<Completion> completions = new ArrayList<>();
        List<FeedbackEvent> feedback = new ArrayList<>();
        for (int tick = 0; tick < seconds * 10; tick++) {
            Instant now = START.plusMillis(100L * tick);
            for (int i = 0; i < perSecond / 10; i++) {
                completions.add(traffic.nextCompletion(now));
            }
            feedback.addAll(traffic.feedbackDue(now));
        }
        return new Run(completions, feedback);
    }

    @Test
    void sameSeedSameTraffic() {
        assertEquals(run(42, 20, 40), run(42, 20, 40));
        assertNotEquals(run(42, 5, 40).completions(), run(43, 5, 40).completions());
    }

    @Test
    void feedbackIsOnCompletionsThatWereSentBeforeIt() {
        Run run = run(1, 60, 40);
        Map<String, Completion> byId = new HashMap<>();
        run.completions().forEach(c -> byId.put(c.getCompletionId(), c));
        assertTrue(run.feedback().size() > run.completions().size() / 2, "most completions get feedback: " + run.feedback().size());
        for (FeedbackEvent event : run.feedback()) {
            Completion completion = byId.get(event.getCompletionId());
            assertTrue(completion != null, "feedback on an unknown completion " + event.getCompletionId());
            assertEquals(completion.getConversationId(), event.getConversationId());
            assertEquals(completion.getUserId(), event.getUserId());
            assertEquals(completion.getModel(), event.getModel());
            assertEquals(completion.getPromptVersion(), event.getPromptVersion());
            assertEquals(completion.getCreatedAt(), event.getCompletionCreatedAt());
            assertTrue(Timestamps.compare(event.getOccurredAt(), completion.getCreatedAt()) > 0, "feedback after its completion");
        }
        Set<String> conversations = new HashSet<>();
        run.completions().forEach(c -> conversations.add(c.getConversationId()));
        assertTrue(conversations.size() < run.completions().size(), "conversations run over several turns");
    }

    @Test
    void severalModelsAndPromptVersionsEachWithVotes() {
        Run run = run(2, 60, 40);
        Map<String, Long> thumbs = new HashMap<>();
        Set<String> prompts = new HashSet<>();
        for (FeedbackEvent event : run.feedback()) {
            prompts.add(event.getModel().getName() + "/" + event.getPromptVersion());
            if (event.hasThumb()) {
                thumbs.merge(event.getModel().getName() + "/" + event.getModel().getVersion() + "/" + event.getPromptVersion(), 1L, Long::sum);
            }
        }
        DemoTraffic traffic = new DemoTraffic(2, START, DEGRADES);
        assertEquals(traffic.keys().size(), thumbs.size(), thumbs.toString());
        // 60 s of traffic: every key gets enough thumbs for the demo's 10 s buckets (min-votes 20) in most buckets.
        thumbs.values().forEach(count -> assertTrue(count >= 60, thumbs.toString()));
        assertTrue(prompts.contains("gpt-4o/support-v7") && prompts.contains("gpt-4o/support-v8"), "one model, two prompt versions");
    }

    @Test
    void theDegradingKeysThumbsDownShareRisesAfterTheDegradationStarts() {
        Run run = run(3, 180, 40);
        DemoTraffic.DemoKey degrading = new DemoTraffic(3, START, DEGRADES).degradingKey();
        double before = downShare(run, degrading, START, START.plusSeconds(60));
        double after = downShare(run, degrading, START.plusSeconds(120), START.plusSeconds(180));
        assertTrue(before < 0.3, "healthy: " + before);
        assertTrue(after > 0.65, "degraded to 20 % approval: " + after);
        // the other keys stay as they were
        DemoTraffic.DemoKey other = new DemoTraffic(3, START, DEGRADES).keys().get(1);
        assertTrue(Math.abs(downShare(run, other, START, START.plusSeconds(60)) - downShare(run, other, START.plusSeconds(120), START.plusSeconds(180))) < 0.1);
    }

    @Test
    void approvalFallsLinearlyToTheFloorAndStaysThere() {
        DemoTraffic traffic = new DemoTraffic(4, START, DEGRADES);
        DemoTraffic.DemoKey key = traffic.degradingKey();
        assertEquals(key.approval(), traffic.approval(key, START.plusSeconds(59)), 1e-9);
        assertEquals((key.approval() + 0.2) / 2, traffic.approval(key, START.plusSeconds(90)), 1e-9);
        assertEquals(0.2, traffic.approval(key, START.plusSeconds(120)), 1e-9);
        assertEquals(0.2, traffic.approval(key, START.plusSeconds(3_600)), 1e-9);
    }

    @Test
    void aShareOfResponsesAndPromptsCarriesWhatTheSafetyFilterLooksFor() {
        Run run = run(5, 60, 40);
        long sensitive = run.completions().stream().filter(c -> c.getResponseText().matches("(?s).*(@example|\\+971|4111|AD12|123-45|AKIA|sk_test|192\\.168).*")).count();
        long blocked = run.completions().stream().filter(c -> c.getResponseText().contains("PRIVATE KEY")).count();
        long injections = run.completions().stream().filter(c -> c.getPromptText().toLowerCase().contains("ignore all previous instructions")).count();
        int n = run.completions().size();
        assertTrue(sensitive > 0.08 * n && sensitive < 0.25 * n, sensitive + " of " + n);
        assertTrue(blocked > 0 && blocked < 0.03 * n, blocked + " of " + n);
        assertTrue(injections > 0.02 * n && injections < 0.12 * n, injections + " of " + n);
        Map<String, Long> risky = new HashMap<>();
        run.completions().stream().filter(c -> c.getUserId().startsWith("user-risky")).forEach(c -> risky.merge(c.getUserId(), 1L, Long::sum));
        assertTrue(risky.size() >= 4, "a few users keep trying: " + risky);
    }

    private static double downShare(Run run, DemoTraffic.DemoKey key, Instant from, Instant to) {
        long up = 0;
        long down = 0;
        for (FeedbackEvent event : run.feedback()) {
            Instant created = Instant.ofEpochMilli(Timestamps.toMillis(event.getCompletionCreatedAt()));
            if (event.hasThumb() && event.getModel().getName().equals(key.model()) && event.getPromptVersion().equals(key.prompt())
                    && !created.isBefore(from) && created.isBefore(to)) {
                if (event.getThumb() == FeedbackEvent.Thumb.THUMB_UP) {
                    up++;
                } else {
                    down++;
                }
            }
        }
        return (double) down / (up + down);
    }
}
