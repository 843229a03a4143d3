package io.flywheel.sampler.sampling;

import io.flywheel.events.v1.FeedbackEvent;

/** Which feedback counts as negative for the boost: a thumb down, a rating of 1 or 2, a report. */
public final class NegativeFeedback {

    private NegativeFeedback() {
    }

    public static boolean isNegative(FeedbackEvent feedback) {
        return switch (feedback.getSignalCase()) {
            case THUMB -> feedback.getThumb() == FeedbackEvent.Thumb.THUMB_DOWN;
            case RATING -> feedback.getRating() >= 1 && feedback.getRating() <= 2;
            case REPORTED -> true;
            default -> false;
        };
    }
}
