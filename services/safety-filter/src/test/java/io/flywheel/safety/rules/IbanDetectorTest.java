package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IbanDetectorTest {

  private final IbanDetector d = new IbanDetector();

  @Test
  void registryExamples() {
    for (String iban : new String[] {"DE89370400440532013000", "GB82WEST12345698765432",
        "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034", "NO9386011117947"}) {
      assertTrue(IbanDetector.isValid(iban), iban);
      finds(d, "pay to " + iban + ".", iban);
    }
  }

  @Test
  void printedForm() {
    finds(d, "IBAN: DE89 3704 0044 0532 0130 00 (Commerzbank)", "DE89 3704 0044 0532 0130 00");
    finds(d, "GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32");
  }

  @Test
  void rejectsBadCheckDigitsLengthsAndCountries() {
    assertFalse(IbanDetector.isValid("DE88370400440532013000"));
    findsNothing(d, "DE88370400440532013000");
    findsNothing(d, "DE8937040044053201300"); // one char short
    findsNothing(d, "DE893704004405320130001"); // one char long
    findsNothing(d, "XX89370400440532013000"); // no such country
    findsNothing(d, "de89370400440532013000"); // lower case
    findsNothing(d, "ID DE89370400440532013000X"); // glued to a letter
    findsNothing(d, "DE 89 3704 0044 0532 0130 00"); // wrong grouping
  }

  @Test
  void checkDigitsOutsideTwoToNinetyEightAreInvalid() {
    // 00, 01 and 99 can never be produced by the check-digit algorithm
    assertFalse(IbanDetector.isValid("DE00370400440532013000"));
    assertFalse(IbanDetector.isValid("DE99370400440532013000"));
  }
}
