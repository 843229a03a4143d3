package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.PolicyPackFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {

    private static SafetyPolicy policy(String id, SafetyAction action, String... keywords) {
        return SafetyPolicy.newBuilder().setId(id).setEnabled(true).setCategory("c").setAction(action)
                .setKeywords(SafetyPolicy.KeywordList.newBuilder().addAllKeywords(List.of(keywords))).build();
    }

    @Test
    void namesAddedChangedUnchangedAndRemovedIds() {
        Map<String, Optional<SafetyPolicy>> current = Map.of(
                "same", Optional.of(policy("same", SafetyAction.FLAG, "a")),
                "edited", Optional.of(policy("edited", SafetyAction.FLAG, "a")),
                "garbled", Optional.empty(),
                "gone", Optional.of(policy("gone", SafetyAction.BLOCK, "z")));
        PolicyDiff diff = PolicyDiff.between(current, List.of(
                policy("same", SafetyAction.FLAG, "a"),
                policy("edited", SafetyAction.BLOCK, "a", "b"),
                policy("garbled", SafetyAction.FLAG, "g"),
                policy("new", SafetyAction.REDACT, "n")));
        assertEquals(List.of("new"), diff.added());
        assertEquals(Map.of("edited", List.of("keywords", "action"), "garbled", List.of("unreadable")), diff.changed());
        assertEquals(List.of("same"), diff.unchanged());
        assertEquals(List.of("gone"), diff.removed());
        assertFalse(diff.isEmpty(false));
    }

    @Test
    void removalsCountOnlyWithPrune() {
        PolicyDiff diff = PolicyDiff.between(Map.of("gone", Optional.of(policy("gone", SafetyAction.FLAG, "x"))), List.of());
        assertTrue(diff.isEmpty(false));
        assertFalse(diff.isEmpty(true));
    }

    @Test
    void readsTheDefaultPackFormat() {
        PolicyPackFile pack = PolicyPackFile.parse("""
                policies:
                  - id: ops.words
                    enabled: true
                    category: words
                    target: RESPONSE
                    keywords: [foo, bar]
                    action: FLAG
                """.getBytes(StandardCharsets.UTF_8));
        PolicyDiff diff = PolicyDiff.between(Map.of(), pack.policies());
        assertEquals(List.of("ops.words"), diff.added());
        assertEquals(List.of("foo", "bar"), pack.policies().get(0).getKeywords().getKeywordsList());
    }
}
