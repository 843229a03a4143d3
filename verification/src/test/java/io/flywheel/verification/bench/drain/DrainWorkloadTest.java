package io.flywheel.verification.bench.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.verification.workload.Planned;
import io.flywheel.verification.workload.SeededContent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrainWorkloadTest {

    @Test
    void aTenthOfTheCompletionsCarryPiiSecretsOrInjectionsAndEachIsAlsoScreened() {
        Map<String, Planned> completions = new HashMap<>();
        Map<String, ScreenedCompletion> screened = new HashMap<>();
        long seeded = 0;
        long feedback = 0;
        DrainWorkload workload = new DrainWorkload(20_000, Instant.parse("2026-01-01T12:00:00Z"));
        while (workload.hasNext()) {
            Planned record = workload.next();
            if (record.topic().equals(Topics.LLM_COMPLETIONS.name())) {
                completions.put(record.completion().getCompletionId(), record);
                SeededContent content = record.seeded().orElseThrow();
                assertTrue(content != SeededContent.RUN_KEYWORD_IN_RESPONSE, "the run's keyword is not PII, a secret or an injection");
                seeded += content.categories.isEmpty() ? 0 : 1;
            } else if (record.topic().equals(Topics.LLM_COMPLETIONS_SCREENED.name())) {
                ScreenedCompletion copy = (ScreenedCompletion) record.message();
                assertEquals(copy.getCompletion().getConversationId(), record.key());
                screened.put(copy.getCompletion().getCompletionId(), copy);
            } else {
                assertEquals(Topics.FEEDBACK_EVENTS.name(), record.topic());
                feedback++;
            }
        }
        double share = (double) seeded / completions.size();
        assertTrue(share > 0.095 && share <= 0.10, "seeded share " + share);
        assertEquals(completions.keySet(), screened.keySet());
        completions.forEach((id, record) -> assertEquals(record.completion(), screened.get(id).getCompletion()));
        assertTrue(feedback > completions.size(), "feedback " + feedback + " for " + completions.size() + " completions");
    }
}
