package io.flywheel.feedback.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FeedbackTallyTest {

    @Test
    void wilsonLowerBoundMatchesPublishedValues() {
        // Evan Miller's worked values: 1 of 1 → 0.2065; 8 of 10 → 0.4902; 80 of 100 → 0.7112.
        assertEquals(0.2065, FeedbackTally.wilsonLowerBound(1, 1), 1e-4);
        assertEquals(0.4902, FeedbackTally.wilsonLowerBound(8, 10), 1e-4);
        assertEquals(0.7112, FeedbackTally.wilsonLowerBound(80, 100), 1e-4);
        assertEquals(0.0, FeedbackTally.wilsonLowerBound(0, 0));
    }

    @Test
    void derivedRatesFollowTheCounters() {
        var aggregate = FeedbackTally.zeroDelta().setThumbsUp(3).setThumbsDown(1).setRatingCount(2).setRatingSum(7);
        FeedbackTally.derive(aggregate);
        assertEquals(0.75, aggregate.getApprovalRate(), 1e-12);
        assertEquals(3.5, aggregate.getMeanRating(), 1e-12);
    }
}
