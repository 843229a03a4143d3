package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentCardDetectorTest {

  private final PaymentCardDetector d = new PaymentCardDetector();

  @Test
  void findsPublishedTestNumbersInEveryPrintedForm() {
    finds(d, "card 4111111111111111 exp 12/29", "4111111111111111");
    finds(d, "card 4111 1111 1111 1111.", "4111 1111 1111 1111");
    finds(d, "card 5555-5555-5555-4444, thanks", "5555-5555-5555-4444");
    finds(d, "amex 3782 822463 10005 ok", "3782 822463 10005");
    finds(d, "diners 3056 930902 5904", "3056 930902 5904");
    finds(d, "two: 6011111111111117 and 378282246310005", "6011111111111117", "378282246310005");
    finds(d, "visa13 4222222222222", "4222222222222");
  }

  @Test
  void networksByPrefixAndLength() {
    assertEquals("visa", PaymentCardDetector.network("4111111111111111"));
    assertEquals("mastercard", PaymentCardDetector.network("2223003122003222"));
    assertEquals("amex", PaymentCardDetector.network("371449635398431"));
    assertEquals("discover", PaymentCardDetector.network("6011000990139424"));
    assertEquals("jcb", PaymentCardDetector.network("3530111333300000"));
    assertEquals("unionpay", PaymentCardDetector.network("6200000000000005"));
    assertEquals("diners", PaymentCardDetector.network("30569309025904"));
    assertNull(PaymentCardDetector.network("41111111111111")); // Visa has no 14-digit numbers
    assertNull(PaymentCardDetector.network("9111111111111111"));
  }

  @Test
  void luhn() {
    assertTrue(PaymentCardDetector.luhnValid("79927398713"));
    assertFalse(PaymentCardDetector.luhnValid("79927398710"));
    assertFalse(PaymentCardDetector.isCardNumber("4111111111111112"));
    // Luhn-valid but no network: an IMEI (15 digits starting 35 is not a 15-digit network)
    assertTrue(PaymentCardDetector.luhnValid("490154203237518"));
    assertFalse(PaymentCardDetector.isCardNumber("490154203237518"));
  }

  @Test
  void rejectsLookAlikes() {
    findsNothing(d, "order 4111111111111112 shipped");
    findsNothing(d, "ref 41111111111111110 (17 digits, Luhn fails)");
    findsNothing(d, "id a4111111111111111b");
    findsNothing(d, "run 24111111111111111");
    findsNothing(d, "pi 0.4111111111111111");
    findsNothing(d, "epoch 1732579200000");
    findsNothing(d, "grouped oddly 41 1111 1111 1111 11");
    findsNothing(d, "mixed 4111-1111 1111-1111");
    findsNothing(d, "isbn 978-0-306-40615-7");
  }

  @Test
  void cardFollowedByOtherNumbersInSameRun() {
    finds(d, "4111 1111 1111 1111 12 29", "4111 1111 1111 1111");
    // 19 digits in the printed 4-4-4-4-3 form are one number (Luhn fails), not a card + 3 digits
    findsNothing(d, "4111 1111 1111 1111 123");
    findsNothing(d, "+41111111111111111"); // a phone number, not a card
    findsNothing(d, "IBAN: AZ71 ENQJ 1803 3530 6277 3802 9522"); // groups of a printed IBAN
  }

  @Test
  void spansAreExactAfterSurrogatePairs() {
    String text = "😀 4111111111111111";
    assertEquals(List.of(new Span(3, 19)), d.find(text));
  }
}
