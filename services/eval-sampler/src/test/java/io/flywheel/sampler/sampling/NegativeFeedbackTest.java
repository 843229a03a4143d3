package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import org.junit.jupiter.api.Test;

class NegativeFeedbackTest {

    private final ScreenedCompletion on = Fixtures.completion("c", "x", "m", "", 0, SafetyVerdict.Decision.ALLOW);

    @Test
    void thumbDownLowRatingsAndReportsAreNegative() {
        assertEquals(true, negative(b -> b.setThumb(FeedbackEvent.Thumb.THUMB_DOWN)));
        assertEquals(false, negative(b -> b.setThumb(FeedbackEvent.Thumb.THUMB_UP)));
        assertEquals(true, negative(b -> b.setRating(1)));
        assertEquals(true, negative(b -> b.setRating(2)));
        assertEquals(false, negative(b -> b.setRating(3)));
        assertEquals(false, negative(b -> b.setRating(0)), "0 is no rating");
        assertEquals(true, negative(b -> b.setReported(FeedbackEvent.Reported.newBuilder().setReason("harmful"))));
        assertEquals(false, negative(b -> b.setRegenerated(FeedbackEvent.Regenerated.getDefaultInstance())));
        assertEquals(false, negative(b -> b.setCopied(FeedbackEvent.Copied.getDefaultInstance())));
        assertEquals(false, negative(b -> b.setCleared(FeedbackEvent.Cleared.getDefaultInstance())));
        assertEquals(false, negative(b -> b));
    }

    private boolean negative(java.util.function.UnaryOperator<FeedbackEvent.Builder> signal) {
        return NegativeFeedback.isNegative(signal.apply(Fixtures.feedback("f", on, 1)).build());
    }
}
