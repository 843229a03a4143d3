package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.Completion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionTrafficTest {

    private static List<Completion> generate(long seed, int count, double share) {
        CompletionTraffic traffic = new CompletionTraffic(seed, 6, share, () -> Instant.parse("2026-11-26T12:00:00Z"));
        List<Completion> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(traffic.next());
        }
        return out;
    }

    @Test
    void conversationsKeepTheirUserAndModelAndNumberTheirTurns() {
        List<Completion> completions = generate(1, 2_000, 0.1);
        for (int i = 1; i < completions.size(); i++) {
            Completion previous = completions.get(i - 1);
            Completion current = completions.get(i);
            if (current.getConversationId().equals(previous.getConversationId())) {
                assertEquals(previous.getTurnIndex() + 1, current.getTurnIndex());
                assertEquals(previous.getUserId(), current.getUserId());
                assertEquals(previous.getModel(), current.getModel());
            } else {
                assertEquals(0, current.getTurnIndex());
            }
        }
    }

    @Test
    void aboutTheRequestedShareCarriesSensitiveText() {
        long sensitive = generate(2, 10_000, 0.2).stream()
                .filter(c -> c.getResponseText().split("\\. ").length > 1 || c.getResponseText().contains("Ignore previous"))
                .count();
        assertTrue(sensitive > 1_700 && sensitive < 2_300, "sensitive " + sensitive + " of 10000");
    }

    @Test
    void theSameSeedGivesTheSameTraffic() {
        assertEquals(generate(3, 100, 0.1), generate(3, 100, 0.1));
    }
}
