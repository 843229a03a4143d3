package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PhoneDetectorTest {

  private final PhoneDetector us = new PhoneDetector("US", 10_000);

  @Test
  void internationalAndNational() {
    finds(us, "call +44 20 7946 0958 now", "+44 20 7946 0958");
    finds(us, "office (650) 253-0000.", "(650) 253-0000");
    finds(us, "fr: +33 1 42 68 53 00", "+33 1 42 68 53 00");
    finds(us, "Jane (+44 20 7946 0958)", "+44 20 7946 0958");
  }

  @Test
  void defaultRegionIsConfigurable() {
    PhoneDetector de = new PhoneDetector("DE", 10_000);
    finds(de, "Ruf an: 030 901820", "030 901820");
    findsNothing(us, "Ruf an: 030 901820");
    assertThrows(IllegalArgumentException.class, () -> new PhoneDetector("XX", 1));
  }

  @Test
  void invalidNumbersAndOtherNumbers() {
    findsNothing(us, "+1 123-456-7890");
    findsNothing(us, "(000) 000-0000");
    findsNothing(us, "on 2024-11-26 at 10:30");
    findsNothing(us, "version 1.2.3.4");
    findsNothing(us, "price $1,234,567.89");
    findsNothing(us, "from 215.42.154.15"); // an IPv4 address whose digits are a valid US number
    findsNothing(us, "order ORD-2015-731033");
  }
}
