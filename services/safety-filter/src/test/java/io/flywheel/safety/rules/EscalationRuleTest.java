package io.flywheel.safety.rules;

import static io.flywheel.events.v1.SafetyAction.FLAG;
import static io.flywheel.events.v1.SafetyTarget.PROMPT;
import static io.flywheel.events.v1.SafetyTarget.RESPONSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EscalationRuleTest {

  private static Finding f(String category, SafetyTarget target) {
    return new Finding("p", category, FLAG, target, new Span(0, 1), 1);
  }

  @Test
  void escalatesExactlyOncePerWindowOnTheCrossingUpdate() {
    EscalationRule rule = new EscalationRule(Duration.ofMinutes(10), 3);
    long t = 1_000_000;
    RiskTally.Update u1 = rule.record(null, t, List.of(f("email", PROMPT)));
    assertFalse(u1.escalateNow());
    RiskTally.Update u2 = rule.record(u1.window(), t + 1, List.of(f("email", PROMPT), f("phone", RESPONSE)));
    assertTrue(u2.escalateNow());
    assertEquals(3, u2.window().findingCount());
    assertEquals(Map.of("email", 2L, "phone", 1L), u2.window().findingsByCategory());
    assertTrue(u2.window().escalated());
    RiskTally.Update u3 = rule.record(u2.window(), t + 2, List.of(f("email", PROMPT), f("email", PROMPT)));
    assertFalse(u3.escalateNow());
    assertEquals(5, u3.window().findingCount());
    // next window starts over
    long next = rule.windowEnd(t);
    RiskTally.Update n1 = rule.record(null, next, List.of(f("a", PROMPT), f("b", PROMPT), f("c", PROMPT)));
    assertTrue(n1.escalateNow());
    assertEquals(next, n1.window().windowStartMs());
  }

  @Test
  void noFindingsChangeNothingAndTargetsCanBeRestricted() {
    EscalationRule rule = new EscalationRule(Duration.ofMinutes(1), 1, Set.of(PROMPT));
    RiskTally.Update u = rule.record(null, 0, List.of());
    assertFalse(u.escalateNow());
    assertEquals(0, u.window().findingCount());
    assertFalse(rule.record(null, 0, List.of(f("x", RESPONSE))).escalateNow());
    assertTrue(rule.record(null, 0, List.of(f("x", PROMPT))).escalateNow());
  }

  @Test
  void windowsAreEpochAlignedIncludingNegativeTimes() {
    EscalationRule rule = new EscalationRule(Duration.ofSeconds(10), 1);
    assertEquals(10_000, rule.windowStart(19_999));
    assertEquals(-10_000, rule.windowStart(-1));
    assertThrows(IllegalArgumentException.class,
        () -> rule.record(RiskTally.empty(0, 10_000), 10_000, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new EscalationRule(Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new EscalationRule(Duration.ofSeconds(1), 0));
  }
}
