package io.flywheel.safety.rules;

import static io.flywheel.events.v1.SafetyAction.BLOCK;
import static io.flywheel.events.v1.SafetyAction.FLAG;
import static io.flywheel.events.v1.SafetyAction.REDACT;
import static io.flywheel.events.v1.SafetyTarget.BOTH;
import static io.flywheel.events.v1.SafetyTarget.PROMPT;
import static io.flywheel.events.v1.SafetyTarget.RESPONSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.events.v1.SafetyVerdict.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySetTest {

  @Test
  void decisionIsTheStrongestAction() {
    PolicySet set = Policies.set(
        Policies.keywords("f", "flagged", List.of("flagme"), FLAG, BOTH),
        Policies.keywords("r", "redacted", List.of("redactme"), REDACT, BOTH),
        Policies.keywords("b", "blocked", List.of("blockme"), BLOCK, BOTH));
    assertEquals(Decision.ALLOW, set.screen("hello", "world").decision());
    assertEquals(Decision.FLAG, set.screen("flagme", "").decision());
    assertEquals(Decision.REDACT, set.screen("flagme", "redactme").decision());
    assertEquals(Decision.BLOCK, set.screen("redactme blockme", "flagme").decision());
    assertEquals(Decision.ALLOW, set.screen(null, null).decision());
  }

  @Test
  void targetsSelectTheText() {
    PolicySet set = Policies.set(
        Policies.keywords("p", "p", List.of("x"), FLAG, PROMPT),
        Policies.keywords("r", "r", List.of("x"), FLAG, RESPONSE));
    Screening s = set.screen("x", "x x");
    assertEquals(List.of(
        new Finding("p", "p", FLAG, PROMPT, new Span(0, 1), 5),
        new Finding("r", "r", FLAG, RESPONSE, new Span(0, 1), 5),
        new Finding("r", "r", FLAG, RESPONSE, new Span(2, 3), 5)), s.findings());
  }

  @Test
  void redactsExactSpansInBothTextsAndKeepsOriginalSpansInFindings() {
    PolicySet set = Policies.set(
        Policies.builtin("e", "email", REDACT, BOTH),
        Policies.builtin("c", "payment_card", REDACT, RESPONSE),
        Policies.builtin("ip", "ip_address", FLAG, BOTH));
    String prompt = "I am ann@example.com, card 4111 1111 1111 1111";
    String response = "Card 4111111111111111 of ann@example.com on 10.0.0.1 noted.";
    Screening s = set.screen(prompt, response);
    assertEquals(Decision.REDACT, s.decision());
    assertEquals("I am [REDACTED:EMAIL], card 4111 1111 1111 1111", s.redactedPrompt());
    assertEquals("Card [REDACTED:PAYMENT_CARD] of [REDACTED:EMAIL] on 10.0.0.1 noted.", s.redactedResponse());
    for (Finding f : s.findings()) {
      String text = f.target() == PROMPT ? prompt : response;
      String hit = f.span().of(text);
      switch (f.policyId()) {
        case "e" -> assertEquals("ann@example.com", hit);
        case "c" -> assertEquals("4111111111111111", hit);
        case "ip" -> assertEquals("10.0.0.1", hit);
        default -> throw new AssertionError(f);
      }
    }
    assertEquals(4, s.findings().size());
  }

  @Test
  void overlappingAndTouchingFindingsMergeIntoOneLabel() {
    PolicySet set = Policies.set(
        Policies.base("low", "low", REDACT, BOTH).setSeverity(1).setRegex("abc def").build(),
        Policies.base("high", "high", REDACT, BOTH).setSeverity(9).setRegex("def ghi").build(),
        Policies.base("touch", "touch", REDACT, BOTH).setSeverity(1).setRegex("jkl").build(),
        Policies.base("flag", "flag", FLAG, BOTH).setSeverity(10).setRegex("abc").build());
    Screening s = set.screen("", "x abc def ghijkl y");
    // "abc def" ∪ "def ghi" ∪ "jkl" (touching) → one span, labelled by the highest severity
    assertEquals("x [REDACTED:HIGH] y", s.redactedResponse());
    assertEquals(Decision.REDACT, s.decision());
  }

  @Test
  void labelTieBreakIsEarliestThenLongestThenPolicyId() {
    PolicySet set = Policies.set(
        Policies.base("b", "second", REDACT, BOTH).setRegex("bcd").build(),
        Policies.base("a", "first", REDACT, BOTH).setRegex("abc").build());
    assertEquals("[REDACTED:FIRST]", set.screen("", "abcd").redactedResponse());
    PolicySet same = Policies.set(
        Policies.base("z", "zed", REDACT, BOTH).setRegex("abc").build(),
        Policies.base("y", "why", REDACT, BOTH).setRegex("abc").build());
    assertEquals("[REDACTED:WHY]", same.screen("", "abc").redactedResponse());
  }

  @Test
  void spansAreUtf16Indexes() {
    PolicySet set = Policies.set(Policies.builtin("e", "email", REDACT, BOTH));
    String text = "😀é a@example.com 😀";
    Screening s = set.screen("", text);
    assertEquals(new Span(4, 17), s.findings().get(0).span());
    assertEquals("😀é [REDACTED:EMAIL] 😀", s.redactedResponse());
  }

  @Test
  void findingsConvertToProto() {
    PolicySet set = Policies.set(Policies.builtin("e", "email", REDACT, BOTH));
    var proto = set.screen("a@example.com", "").findingsProto().get(0);
    assertEquals("e", proto.getPolicyId());
    assertEquals(PROMPT, proto.getTarget());
    assertEquals(13, proto.getSpan().getEnd());
  }
}
