package io.flywheel.safety.rules;

import static io.flywheel.events.v1.SafetyAction.BLOCK;
import static io.flywheel.events.v1.SafetyAction.FLAG;
import static io.flywheel.events.v1.SafetyAction.REDACT;
import static io.flywheel.events.v1.SafetyTarget.BOTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyCatalogTest {

  private static final String PACK = """
      policies:
        - {id: d.email, enabled: true, category: email, target: BOTH, builtin: email, action: REDACT}
        - {id: d.words, enabled: true, category: words, target: BOTH, keywords: [foo], action: FLAG}
      """;

  private final DefaultPolicyPack pack = DefaultPolicyPack.parse(PACK.getBytes(StandardCharsets.UTF_8));
  private final PolicyCatalog catalog = new PolicyCatalog(pack, Policies.COMPILER);

  private static List<String> ids(PolicySet s) {
    return s.rules().stream().map(CompiledRule::policyId).toList();
  }

  @Test
  void startsWithTheDefaultsAndRevisionNone() {
    assertEquals(List.of("d.email", "d.words"), ids(catalog.current()));
    assertEquals(pack.hash() + "@none", catalog.current().revision());
    assertEquals(Decision.REDACT, catalog.current().screen("a@example.com", "").decision());
  }

  @Test
  void overrideReplacesDefaultByIdAndRevisionNamesTheOffset() {
    SafetyPolicy blockEmail = Policies.builtin("d.email", "email", BLOCK, BOTH);
    PolicySet s = catalog.apply("d.email", blockEmail, 7);
    assertEquals(pack.hash() + "@7", s.revision());
    assertEquals(List.of("d.email", "d.words"), ids(s));
    assertEquals(Decision.BLOCK, s.screen("a@example.com", "").decision());
    assertSame(s, catalog.current());
  }

  @Test
  void disableThenTombstoneBringsTheDefaultBack() {
    PolicySet off = catalog.apply("d.email", SafetyPolicy.newBuilder().setId("d.email").setEnabled(false).build(), 1);
    assertEquals(List.of("d.words"), ids(off));
    assertEquals(List.of("d.email"), off.disabled().stream().map(SafetyPolicy::getId).toList());
    assertEquals(Decision.ALLOW, off.screen("a@example.com", "").decision());
    PolicySet back = catalog.apply("d.email", null, 2);
    assertEquals(List.of("d.email", "d.words"), ids(back));
    assertEquals(Decision.REDACT, back.screen("a@example.com", "").decision());
    assertEquals(pack.hash() + "@2", back.revision());
  }

  @Test
  void topicOnlyPolicyIsAddedInIdOrderAndDeletedByTombstone() {
    catalog.apply("t.z", Policies.keywords("t.z", "z", List.of("zzz"), FLAG, BOTH), 3);
    PolicySet s = catalog.apply("t.a", Policies.keywords("t.a", "a", List.of("aaa"), REDACT, BOTH), 4);
    assertEquals(List.of("d.email", "d.words", "t.a", "t.z"), ids(s));
    assertEquals("[REDACTED:A] zzz", s.screen("", "aaa zzz").redactedResponse());
    PolicySet gone = catalog.apply("t.a", null, 5);
    assertEquals(List.of("d.email", "d.words", "t.z"), ids(gone));
  }

  @Test
  void unreadableRecordIsSkippedLikeAnInvalidPolicyAndNeverRemovesADefault() {
    catalog.apply("t.x", Policies.keywords("t.x", "x", List.of("xxx"), BLOCK, BOTH), 1);
    PolicySet s = catalog.reject("t.x", "not a SafetyPolicy", 2);
    assertEquals(List.of("d.email", "d.words"), ids(s));
    assertEquals("t.x", s.skipped().get(0).policyId());
    assertEquals(2, s.skipped().get(0).offset());
    PolicySet d = catalog.reject("d.email", "bad bytes", 3);
    assertEquals(List.of("d.email", "d.words"), ids(d));
    assertEquals(pack.hash() + "@3", d.revision());
    assertEquals(2, d.skipped().size());
  }

  @Test
  void invalidPolicyIsSkippedWithReasonAndOffsetAndTheDefaultStays() {
    PolicySet s = catalog.apply("d.email", Policies.regex("d.email", "email", "(", BLOCK, BOTH), 9);
    assertEquals(List.of("d.email", "d.words"), ids(s));
    assertEquals(REDACT, s.rules().get(0).action()); // still the default
    assertEquals(1, s.skipped().size());
    assertEquals("d.email", s.skipped().get(0).policyId());
    assertEquals(9, s.skipped().get(0).offset());
    assertTrue(s.skipped().get(0).reason().startsWith("regex does not compile"));
    PolicySet bad = catalog.apply("t.bad", Policies.builtin("t.bad", "nope", FLAG, BOTH), 10);
    assertEquals(2, bad.skipped().size());
    assertEquals(List.of("d.email", "d.words"), ids(bad));
    // fixing the record removes it from the skipped list
    PolicySet fixed = catalog.apply("t.bad", null, 11);
    assertEquals(1, fixed.skipped().size());
  }

  @Test
  void keyAndValueIdMustAgreeAndEmptyValueIdTakesTheKey() {
    PolicySet s = catalog.apply("t.x", Policies.keywords("t.y", "c", List.of("w"), FLAG, BOTH), 1);
    assertEquals("record key 't.x' and policy id 't.y' differ", s.skipped().get(0).reason());
    assertEquals("t.x", s.skipped().get(0).policyId(), "reported under the key whose slot it took");
    PolicySet ok = catalog.apply("t.x", Policies.keywords("", "c", List.of("w"), FLAG, BOTH), 2);
    assertTrue(ids(ok).contains("t.x"));
    assertTrue(ok.skipped().isEmpty());
  }

  @Test
  void eachRecordYieldsANewImmutableSet() {
    PolicySet before = catalog.current();
    PolicySet after = catalog.apply("t.a", Policies.keywords("t.a", "a", List.of("aaa"), FLAG, BOTH), 1);
    assertNotSame(before, after);
    assertEquals(List.of("d.email", "d.words"), ids(before));
  }
}
