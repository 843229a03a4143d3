package io.flywheel.safety.rules;

import static io.flywheel.events.v1.SafetyAction.FLAG;
import static io.flywheel.events.v1.SafetyAction.REDACT;
import static io.flywheel.events.v1.SafetyTarget.RESPONSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private static Finding f(String id, String cat, int s, int e, int severity) {
    return new Finding(id, cat, REDACT, RESPONSE, new Span(s, e), severity);
  }

  @Test
  void separateSpansStaySeparate() {
    var r = Redactor.redactions(List.of(f("a", "x", 0, 2, 1), f("b", "y", 3, 5, 1)));
    assertEquals("[REDACTED:X] [REDACTED:Y]", Redactor.redact("ab cd", r));
  }

  @Test
  void containedSpanMerges() {
    var r = Redactor.redactions(List.of(f("a", "outer", 0, 10, 1), f("b", "inner", 2, 4, 5)));
    assertEquals(List.of(new Redactor.Redaction(new Span(0, 10), "inner")), r);
  }

  @Test
  void flagFindingsAreNotRedacted() {
    var r = Redactor.redactions(List.of(new Finding("a", "x", FLAG, RESPONSE, new Span(0, 2), 1)));
    assertEquals("ab", Redactor.redact("ab", r));
  }

  @Test
  void wholeTextAndEmpty() {
    assertEquals("[REDACTED:X]", Redactor.redact("abc", Redactor.redactions(List.of(f("a", "x", 0, 3, 1)))));
    assertEquals("", Redactor.redact("", List.of()));
  }
}
