package io.flywheel.sampler.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.FeedbackEventContract;
import io.flywheel.runtime.deadletter.RecordValidator;
import java.time.Duration;
import java.util.Optional;

/** What a feedback event must satisfy before the boost window can judge it: the shared contract. */
public final class FeedbackValidator implements RecordValidator<FeedbackEvent> {

    private final Duration maxClockSkew;

    public FeedbackValidator(Duration maxClockSkew) {
        this.maxClockSkew = maxClockSkew;
    }

    @Override
    public Optional<String> rejectReason(String key, FeedbackEvent event, long wallClockMs) {
        return FeedbackEventContract.violation(key, event, wallClockMs, maxClockSkew);
    }
}
