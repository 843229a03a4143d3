package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class FeedbackTrafficTest {

    /** A clock that advances 10 ms per reading, like steady live traffic. */
    private static Supplier<Instant> steadyClock() {
        Instant[] now = {Instant.parse("2026-11-26T06:00:00Z")};
        return () -> now[0] = now[0].plusMillis(10);
    }

    private static List<FeedbackEvent> generate(long seed, int models, int count) {
        FeedbackTraffic traffic = new FeedbackTraffic(seed, models, steadyClock());
        List<FeedbackEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(traffic.next());
        }
        return events;
    }

    @Test
    void sameSeedSameTraffic() {
        assertEquals(generate(42, 6, 2_000), generate(42, 6, 2_000));
        assertFalse(generate(42, 6, 200).equals(generate(43, 6, 200)));
    }

    @Test
    void everyKindOfFeedbackShowsUp() {
        FeedbackTraffic traffic = new FeedbackTraffic(7, 12, steadyClock());
        for (int i = 0; i < 20_000; i++) {
            traffic.next();
        }
        for (FeedbackTraffic.Kind kind : FeedbackTraffic.Kind.values()) {
            assertTrue(traffic.counts().getOrDefault(kind, 0L) > 0, "no " + kind + " in " + traffic.counts());
        }
        assertEquals(20_000L, traffic.counts().values().stream().mapToLong(Long::longValue).sum());
        // ~5 % late, ~1 % redelivered
        assertTrue(traffic.late() > 500 && traffic.late() < 1_500, "late " + traffic.late());
        long redelivered = traffic.counts().get(FeedbackTraffic.Kind.REDELIVERED);
        assertTrue(redelivered > 100 && redelivered < 350, "redelivered " + redelivered);
    }

    @Test
    void eventsAreConsistentPerConversationAndNeverInTheFuture() {
        Supplier<Instant> clock = steadyClock();
        FeedbackTraffic traffic = new FeedbackTraffic(11, 4, clock);
        Map<String, String> ownerOfConversation = new HashMap<>();
        Map<String, String> modelOfConversation = new HashMap<>();
        Map<String, FeedbackEvent> byFeedbackId = new HashMap<>();
        Set<String> modelKeys = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            FeedbackEvent event = traffic.next();
            Instant now = clock.get();
            long occurred = Timestamps.toMillis(event.getOccurredAt());
            long created = Timestamps.toMillis(event.getCompletionCreatedAt());
            assertTrue(occurred <= now.toEpochMilli(), "occurred_at in the future: " + event);
            assertTrue(created <= occurred, "feedback before its completion: " + event);
            assertTrue(event.getCompletionId().startsWith(event.getConversationId() + "-t"), event.toString());
            String model = event.getModel().getName() + "/" + event.getModel().getVersion() + "/" + event.getPromptVersion();
            modelKeys.add(model);
            assertEquals(event.getUserId(), ownerOfConversation.computeIfAbsent(event.getConversationId(), c -> event.getUserId()));
            assertEquals(model, modelOfConversation.computeIfAbsent(event.getConversationId(), c -> model));
            if (event.getSignalCase() == FeedbackEvent.SignalCase.RATING) {
                assertTrue(event.getRating() >= 1 && event.getRating() <= 5, event.toString());
            }
            assertFalse(event.getSignalCase() == FeedbackEvent.SignalCase.SIGNAL_NOT_SET, event.toString());
            FeedbackEvent earlier = byFeedbackId.putIfAbsent(event.getFeedbackId(), event);
            if (earlier != null) {
                assertEquals(FeedbackTraffic.Kind.REDELIVERED, traffic.lastKind());
                assertEquals(earlier, event, "a repeated feedback_id must be the same event");
            }
        }
        assertEquals(4, modelKeys.size());
    }

    @Test
    void noConversationIsAHotSpot() {
        Map<String, Integer> perCompletion = new HashMap<>();
        for (FeedbackEvent event : generate(3, 6, 20_000)) {
            perCompletion.merge(event.getCompletionId(), 1, Integer::sum);
        }
        int max = perCompletion.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        double mean = 20_000.0 / perCompletion.size();
        assertTrue(max <= 12, "a completion got " + max + " events");
        assertTrue(mean > 1.5 && mean < 3.5, "mean events per completion " + mean);
    }

    @Test
    void manyModelKeysAreDistinct() {
        FeedbackTraffic traffic = new FeedbackTraffic(1, 40, steadyClock());
        Set<String> labels = new HashSet<>();
        traffic.keys().forEach(k -> labels.add(k.label()));
        assertEquals(40, labels.size());
    }
}
