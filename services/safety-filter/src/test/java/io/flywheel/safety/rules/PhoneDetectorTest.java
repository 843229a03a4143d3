package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flywheel.safety.rules.PhoneDetector.Strictness;
import org.junit.jupiter.api.Test;

class PhoneDetectorTest {

  private final PhoneDetector us = new PhoneDetector("US", 10_000, Strictness.POSSIBLE);
  private final PhoneDetector strict = new PhoneDetector("US", 10_000, Strictness.VALID);

  @Test
  void internationalAndNational() {
    for (PhoneDetector d : new PhoneDetector[] {us, strict}) {
      finds(d, "call +44 20 7946 0958 now", "+44 20 7946 0958");
      finds(d, "office (650) 253-0000.", "(650) 253-0000");
      finds(d, "fr: +33 1 42 68 53 00", "+33 1 42 68 53 00");
      finds(d, "Jane (+44 20 7946 0958)", "+44 20 7946 0958");
    }
  }

  @Test
  void possibleNumbersInCommonFormsAreFoundByDefault() {
    // 237 is not an allocated area code: VALID rejects every one of these
    finds(us, "+1 237-334-4468", "+1 237-334-4468");
    finds(us, "(237) 334-4468", "(237) 334-4468");
    finds(us, "237.334.4468", "237.334.4468");
    finds(us, "+12373344468", "+12373344468");
    finds(us, "1-237-334-4468", "1-237-334-4468");
    finds(us, "Call 2373344468 tonight", "2373344468");
    finds(us, "Telefon: 2373344468", "2373344468");
    finds(us, "电话 2373344468", "2373344468");
    finds(us, "+44 1527 60949", "+44 1527 60949");
    findsNothing(strict, "(237) 334-4468");
    findsNothing(strict, "Call 2373344468 tonight");
    findsNothing(strict, "+1 237-334-4468");
  }

  @Test
  void aBareDigitRunNeedsAPhoneWord() {
    findsNothing(us, "order #4155550100 shipped");
    findsNothing(us, "ref 4155550100");
    findsNothing(strict, "order #6502530000 shipped");
    finds(us, "ring me: 4155550100", "4155550100");
    findsNothing(us, "the hotel 4155550100"); // "tel" inside a word is no phone word
  }

  @Test
  void wordsNamingOtherNumbersWin() {
    findsNothing(us, "Invoice no. 415-555-0100");
    findsNothing(us, "tracking number: 415 555 0100");
    findsNothing(us, "Ticket #(415) 555-0100");
    findsNothing(us, "ISBN 0-306-40615-2");
    finds(us, "Order questions? Call (415) 555-0100.", "(415) 555-0100");
  }

  @Test
  void defaultRegionIsConfigurable() {
    PhoneDetector de = new PhoneDetector("DE", 10_000, Strictness.VALID);
    finds(de, "Ruf an: 030 901820", "030 901820");
    findsNothing(us, "Ruf an: 030 901820");
    assertThrows(IllegalArgumentException.class, () -> new PhoneDetector("XX", 1, Strictness.POSSIBLE));
  }

  @Test
  void invalidNumbersAndOtherNumbers() {
    for (PhoneDetector d : new PhoneDetector[] {us, strict}) {
      findsNothing(d, "+1 123-456-7890"); // area code starts with 1
      findsNothing(d, "(000) 000-0000");
      findsNothing(d, "(415) 155-0100"); // exchange starts with 1
      findsNothing(d, "on 2024-11-26 at 10:30");
      findsNothing(d, "version 1.2.3.4");
      findsNothing(d, "price $1,234,567.89");
      findsNothing(d, "from 215.42.154.15"); // an IPv4 address whose digits are a valid US number
      findsNothing(d, "order ORD-2015-731033");
      findsNothing(d, "id abc415-555-0100");
      findsNothing(d, "555-0100"); // no area code
      findsNothing(d, "coords 40.7128, -74.0060");
      findsNothing(d, "at -70.48636910 46.09774229");
      findsNothing(d, "152.94413545");
      findsNothing(d, "12:56 – 07-02-2020");
      findsNothing(d, "+99 235 3176"); // no country code 99; +992 is not written as "+99 2"
    }
  }
}
