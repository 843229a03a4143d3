package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import org.junit.jupiter.api.Test;

class UsSsnDetectorTest {

  private final UsSsnDetector d = new UsSsnDetector();

  @Test
  void validNumbers() {
    finds(d, "SSN 123-45-6789.", "123-45-6789");
    finds(d, "ssn: 536 22 1234 on file", "536 22 1234");
    finds(d, "(001-01-0001)", "001-01-0001");
  }

  @Test
  void ssaRangeRules() {
    findsNothing(d, "000-12-3456");
    findsNothing(d, "666-12-3456");
    findsNothing(d, "900-12-3456"); // ITIN range
    findsNothing(d, "999-12-3456");
    findsNothing(d, "123-00-4567");
    findsNothing(d, "123-45-0000");
    findsNothing(d, "078-05-1120"); // the voided Woolworth wallet number
  }

  @Test
  void shapeAndBoundaries() {
    findsNothing(d, "123-456-7890");
    findsNothing(d, "2024-11-26");
    findsNothing(d, "123-45-67890");
    findsNothing(d, "1123-45-6789");
    findsNothing(d, "PN-123-45-6789");
    findsNothing(d, "123-45-6789-01");
    findsNothing(d, "123-45 6789");
    findsNothing(d, "call 555 123 45 6789");
    findsNothing(d, "v123-45-6789");
    findsNothing(d, "+688 90 1234"); // a phone number (Tuvalu)
  }
}
