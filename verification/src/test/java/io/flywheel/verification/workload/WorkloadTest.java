package io.flywheel.verification.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The verifier regenerates the workload from its spec, so it must be the same stream every time. */
class WorkloadTest {

    private static final WorkloadSpec SPEC = WorkloadSpec.of("w", 7, 20_000, Instant.parse("2026-11-27T12:00:00Z"));

    @Test
    void theSameSpecGivesTheSameRecordsInTheSameOrder() {
        Workload first = new Workload(SPEC);
        Workload second = new Workload(SPEC);
        long n = 0;
        while (first.hasNext()) {
            Planned a = first.next();
            Planned b = second.next();
            assertEquals(a.recordId(), b.recordId());
            assertEquals(a.key(), b.key());
            assertEquals(a.message(), b.message());
            n++;
        }
        assertTrue(!second.hasNext() && n >= SPEC.events(), "records: " + n);
    }

    @Test
    void itReordersDuplicatesAndCarriesEveryHostileKind() {
        Workload workload = new Workload(SPEC);
        Set<String> completionsSent = new HashSet<>();
        Map<String, Integer> feedbackSent = new HashMap<>();
        Set<HostileKind> kinds = EnumSet.noneOf(HostileKind.class);
        long feedbackBeforeCompletion = 0;
        while (workload.hasNext()) {
            Planned record = workload.next();
            record.hostile().ifPresent(kinds::add);
            if (record.isValidCompletion()) {
                completionsSent.add(record.completion().getCompletionId());
            } else if (record.isValidFeedback()) {
                if (!completionsSent.contains(record.feedback().getCompletionId())) {
                    feedbackBeforeCompletion++;
                }
                feedbackSent.merge(record.feedback().getFeedbackId(), 1, Integer::sum);
            }
        }
        assertEquals(EnumSet.allOf(HostileKind.class), kinds);
        assertTrue(feedbackBeforeCompletion > 50, "feedback sent before its completion: " + feedbackBeforeCompletion);
        assertTrue(feedbackSent.values().stream().filter(c -> c > 1).count() > 50, "feedback sent twice");
    }
}
