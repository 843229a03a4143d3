package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegexDetectorTest {

  @Test
  void findsAllNonEmptyMatches() {
    RegexDetector d = new RegexDetector(Pattern.compile("(?i)order-\\d+"));
    finds(d, "ORDER-1, order-22 and order-x", "ORDER-1", "order-22");
    RegexDetector empty = new RegexDetector(Pattern.compile("a*"));
    finds(empty, "baab", "aa");
  }

  @Test
  void nestedQuantifiersOnLongInputFinishQuickly() {
    RegexDetector d = new RegexDetector(Pattern.compile("(a+)+$"));
    String hostile = "a".repeat(100 * 1024) + "!";
    // a backtracking engine would need ~2^102400 steps; RE2 is linear
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertTrue(d.find(hostile).isEmpty()));
  }
}
