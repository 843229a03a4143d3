package io.flywheel.safety.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Compact assertions over what a detector finds: the matched substrings, in order. */
final class DetectorAssertions {

  private DetectorAssertions() {}

  static List<String> found(Detector d, String text) {
    return d.find(text).stream().map(s -> s.of(text)).toList();
  }

  static void finds(Detector d, String text, String... expected) {
    assertEquals(List.of(expected), found(d, text), () -> "in: " + text);
  }

  static void findsNothing(Detector d, String text) {
    assertEquals(List.of(), found(d, text), () -> "in: " + text);
  }
}
