package io.flywheel.feedback.tally;

import static io.flywheel.feedback.topology.FeedbackEvents.cleared;
import static io.flywheel.feedback.topology.FeedbackEvents.rating;
import static io.flywheel.feedback.topology.FeedbackEvents.regenerated;
import static io.flywheel.feedback.topology.FeedbackEvents.thumb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.state.v1.VoteLedgerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VoteLedgerTest {

    private static final Instant CREATED = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant T1 = CREATED.plusSeconds(60);
    private static final Instant T2 = CREATED.plusSeconds(120);
    private static final Instant T3 = CREATED.plusSeconds(180);

    private static FeedbackAggregate.Builder replay(List<FeedbackEvent> events) {
        FeedbackAggregate.Builder total = FeedbackTally.zeroDelta();
        VoteLedgerState state = null;
        for (FeedbackEvent event : events) {
            VoteLedger ledger = VoteLedger.of(state, event);
            ledger.apply(event).ifPresent(delta -> FeedbackTally.add(total, delta));
            state = ledger.state();
        }
        return total;
    }

    @Test
    void changingAThumbMovesExactlyOneCount() {
        FeedbackAggregate.Builder total = replay(List.of(
                thumb("f1", "c1", "u1", CREATED, T1, true),
                thumb("f2", "c1", "u1", CREATED, T2, false)));
        assertEquals(0, total.getThumbsUp());
        assertEquals(1, total.getThumbsDown());
    }

    @Test
    void anOlderVoteArrivingLateDoesNotOverrideANewerOne() {
        FeedbackAggregate.Builder total = replay(List.of(
                thumb("f2", "c1", "u1", CREATED, T2, false),
                thumb("f1", "c1", "u1", CREATED, T1, true)));
        assertEquals(0, total.getThumbsUp());
        assertEquals(1, total.getThumbsDown());
    }

    @Test
    void equalOccurredAtIsBrokenByTheLargerFeedbackId() {
        List<FeedbackEvent> events = List.of(thumb("f-a", "c1", "u1", CREATED, T1, true), thumb("f-b", "c1", "u1", CREATED, T1, false));
        FeedbackAggregate.Builder forward = replay(events);
        FeedbackAggregate.Builder backward = replay(List.of(events.get(1), events.get(0)));
        assertEquals(1, forward.getThumbsDown());
        assertEquals(forward.build(), backward.build());
    }

    @Test
    void aClearIsATimestampedTombstone() {
        FeedbackAggregate.Builder total = replay(List.of(
                cleared("f2", "c1", "u1", CREATED, T2),
                thumb("f1", "c1", "u1", CREATED, T1, true),
                rating("f0", "c1", "u1", CREATED, T1, 4)));
        assertTrue(FeedbackTally.isZero(total.build()), total.toString());

        FeedbackAggregate.Builder later = replay(List.of(
                thumb("f1", "c1", "u1", CREATED, T1, true),
                cleared("f2", "c1", "u1", CREATED, T2),
                thumb("f3", "c1", "u1", CREATED, T3, false)));
        assertEquals(0, later.getThumbsUp());
        assertEquals(1, later.getThumbsDown());
    }

    @Test
    void aRepeatedFeedbackIdChangesNothing() {
        FeedbackEvent up = thumb("f1", "c1", "u1", CREATED, T1, true);
        FeedbackEvent regen = regenerated("f9", "c1", "u1", CREATED, T1);
        FeedbackAggregate.Builder total = replay(List.of(up, regen, up, regen, regen));
        assertEquals(1, total.getThumbsUp());
        assertEquals(1, total.getRegenerations());
    }

    @Test
    void ratingChangesMoveTheHistogramExactly() {
        FeedbackAggregate.Builder total = replay(List.of(
                rating("f1", "c1", "u1", CREATED, T1, 2),
                rating("f2", "c1", "u1", CREATED, T2, 5)));
        assertEquals(1, total.getRatingCount());
        assertEquals(5, total.getRatingSum());
        assertEquals(List.of(0L, 0L, 0L, 0L, 1L), total.getRatingHistogramList());
    }

    @Test
    void theOutcomeDoesNotDependOnArrivalOrder() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            List<FeedbackEvent> events = new ArrayList<>();
            int count = 2 + random.nextInt(7);
            for (int i = 0; i < count; i++) {
                Instant at = CREATED.plusSeconds(random.nextInt(5));
                String id = "f" + random.nextInt(6);
                switch (random.nextInt(4)) {
                    case 0 -> events.add(thumb(id, "c1", "u1", CREATED, at, random.nextBoolean()));
                    case 1 -> events.add(rating(id, "c1", "u1", CREATED, at, 1 + random.nextInt(5)));
                    case 2 -> events.add(cleared(id, "c1", "u1", CREATED, at));
                    default -> events.add(regenerated(id, "c1", "u1", CREATED, at));
                }
            }
            // One feedback_id names one event: keep the first of each id.
            List<FeedbackEvent> unique = new ArrayList<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (FeedbackEvent event : events) {
                if (ids.add(event.getFeedbackId())) {
                    unique.add(event);
                }
            }
            FeedbackAggregate expected = replay(unique).build();
            for (int shuffle = 0; shuffle < 10; shuffle++) {
                List<FeedbackEvent> reordered = new ArrayList<>(unique);
                Collections.shuffle(reordered, random);
                assertEquals(expected, replay(reordered).build(), "order " + reordered);
            }
        }
    }

    @Test
    void pastTheIdCapVotesStillMoveByStampAndCountedOnceSignalsStop() {
        List<FeedbackEvent> events = new ArrayList<>();
        for (int i = 0; i < VoteLedger.MAX_APPLIED_IDS; i++) {
            events.add(regenerated("r" + i, "c1", "u1", CREATED, T1));
        }
        events.add(regenerated("r-over", "c1", "u1", CREATED, T1));
        FeedbackEvent up = thumb("f-up", "c1", "u1", CREATED, T2, true);
        FeedbackEvent down = thumb("f-down", "c1", "u1", CREATED, T3, false);
        events.addAll(List.of(up, down, up, down));
        VoteLedgerState state = null;
        FeedbackAggregate.Builder total = FeedbackTally.zeroDelta();
        for (FeedbackEvent event : events) {
            VoteLedger ledger = VoteLedger.of(state, event);
            ledger.apply(event).ifPresent(delta -> FeedbackTally.add(total, delta));
            state = ledger.state();
        }
        assertEquals(VoteLedger.MAX_APPLIED_IDS, state.getAppliedFeedbackIdsCount(), "the id list is capped");
        assertEquals(VoteLedger.MAX_APPLIED_IDS, total.getRegenerations(), "the signal past the cap is not counted");
        assertEquals(0, total.getThumbsUp());
        assertEquals(1, total.getThumbsDown(), "repeated votes past the cap count once, by stamp");
    }
}
