package io.flywheel.verification.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.verification.workload.Planned;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verifier's own vote rules and draw, on hand-made cases (the product is never consulted). */
class ExpectationsTest {

    private static final SamplerParameters PARAMETERS = SamplerParameters.forRun("s");

    private static FeedbackEvent.Builder event(String id, long occurredSeconds) {
        return FeedbackEvent.newBuilder().setFeedbackId(id).setConversationId("c").setCompletionId("c-t0").setUserId("u")
                .setModel(ModelRef.newBuilder().setName("m").setVersion("v")).setPromptVersion("p")
                .setCompletionCreatedAt(Timestamp.newBuilder().setSeconds(1_800_000_000L))
                .setOccurredAt(Timestamp.newBuilder().setSeconds(occurredSeconds));
    }

    private static Expectations.Tally allTime(List<FeedbackEvent> events) {
        List<Planned> records = new ArrayList<>();
        for (FeedbackEvent e : events) {
            records.add(new Planned("r" + records.size(), Planned.FEEDBACK, "c", e, null, Optional.empty(), Optional.empty()));
        }
        return Expectations.of(records.iterator(), PARAMETERS).aggregates.get("m/v/p");
    }

    @Test
    void latestVoteWinsTiesGoToTheLargerIdClearsAreTimestampedAndDuplicatesCountOnce() {
        List<FeedbackEvent> events = new ArrayList<>(List.of(
                event("f1", 100).setThumb(FeedbackEvent.Thumb.THUMB_UP).build(),
                event("f2", 200).setThumb(FeedbackEvent.Thumb.THUMB_DOWN).build(),
                event("f3", 200).setThumb(FeedbackEvent.Thumb.THUMB_UP).build(),   // tie with f2: f3 is larger
                event("f4", 150).setCleared(FeedbackEvent.Cleared.getDefaultInstance()).build(), // older than the vote
                event("f5", 300).setRating(2).build(),
                event("f6", 250).setCleared(FeedbackEvent.Cleared.getDefaultInstance()).build(), // clears nothing newer
                event("f7", 260).setCopied(FeedbackEvent.Copied.getDefaultInstance()).build(),
                event("f7", 260).setCopied(FeedbackEvent.Copied.getDefaultInstance()).build())); // duplicate
        for (int order = 0; order < 20; order++) {
            Collections.shuffle(events, new Random(order));
            Expectations.Tally t = allTime(events);
            assertEquals(0, t.up, "the clear at 250 removes the thumb of 200");
            assertEquals(1, t.ratingCount);
            assertEquals(2, t.ratingSum);
            assertEquals(1, t.copies);
        }
    }

    @Test
    void theDrawMatchesTheDocumentedVectors() {
        // The same vectors the documentation pins (computed with Python's hashlib).
        assertEquals(0.6458650052758766, Expectations.draw("flywheel", "conv-1"), 0.0);
        assertEquals(0.33973149976551387, Expectations.draw("flywheel", "conv-2"), 0.0);
        assertEquals(0.41208878180399544, Expectations.draw("s3cr3t", "conv-1"), 0.0);
    }
}
