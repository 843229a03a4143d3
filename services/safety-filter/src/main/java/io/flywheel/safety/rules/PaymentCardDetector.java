package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Payment card numbers (PANs): 12–19 digits, written plain or in the printed groupings
 * (4-4-4-4[-1..3], 4-4-4-1..3, 4-6-5 and 4-6-4) with one consistent separator (space or dash),
 * that pass the Luhn check and match a network's prefix and length. A digit run glued to a
 * letter, a '+', a longer digit run or a decimal point is not a card. A run of groups that reads
 * as one printed number of 12–19 digits is judged as a whole (its first 16 digits are not a card
 * on their own); only a longer run is searched for a card followed by other numbers
 * ({@code 4111 1111 1111 1111 12 29}). A number labelled as another kind (IMEI, EAN, ISBN, order...)
 * is not a card.
 */
public final class PaymentCardDetector implements Detector {

  /** Labels of other Luhn-checked or card-length numbers: IMEI 35…, EAN 40…, ISBN 978…. */
  private static final Set<String> NOT_CARDS = Set.of("imei", "ean", "upc", "gtin", "isbn", "issn", "asin",
      "tracking", "order", "invoice", "ticket", "serial", "sku");

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    List<int[]> groups = new ArrayList<>();
    while (i < n) {
      if (!Chars.isAsciiDigit(text.charAt(i))) {
        i++;
        continue;
      }
      // A run: digit groups joined by exactly one separator char each.
      groups.clear();
      int j = i;
      while (true) {
        int g = j;
        while (j < n && Chars.isAsciiDigit(text.charAt(j))) {
          j++;
        }
        groups.add(new int[] {g, j});
        if (j + 1 < n && (text.charAt(j) == ' ' || text.charAt(j) == '-') && Chars.isAsciiDigit(text.charAt(j + 1))) {
          j++;
        } else {
          break;
        }
      }
      i = j;
      scanRun(text, groups, out);
    }
    if (out.isEmpty()) {
      return out;
    }
    // "AZ71 ENQJ 1803 3530 6277 3802 9522": digit groups of a printed IBAN are not a card
    List<Span> ibans = IBANS.find(text);
    if (!ibans.isEmpty()) {
      out.removeIf(c -> ibans.stream().anyMatch(ib -> ib.start() <= c.start() && c.end() <= ib.end()));
    }
    return out;
  }

  private static final IbanDetector IBANS = new IbanDetector();

  private static void scanRun(String text, List<int[]> groups, List<Span> out) {
    int last = groups.size() - 1;
    boolean leftGlued = glued(text, groups.get(0)[0] - 1, -1);
    boolean rightGlued = glued(text, groups.get(last)[1], 1);
    int gi = leftGlued ? 1 : 0;
    int gEnd = rightGlued ? last - 1 : last;
    if (gi <= gEnd && wholeNumber(text, groups, gi, gEnd)) {
      // The run reads as one printed number: it is a card or not as a whole; a valid card
      // inside a longer printed number (e.g. 16 of 19 digits) is not a card.
      if (isCardNumber(digitsOf(text, groups, gi, gEnd)) && !NumberLabels.follows(text, groups.get(gi)[0], NOT_CARDS)) {
        out.add(new Span(groups.get(gi)[0], groups.get(gEnd)[1]));
      }
      return;
    }
    while (gi < groups.size()) {
      int best = -1;
      int digits = 0;
      for (int gj = gi; gj < groups.size(); gj++) {
        digits += groups.get(gj)[1] - groups.get(gj)[0];
        if (digits > 19 || (gj == last && rightGlued)) {
          break;
        }
        if (digits >= 12 && printedGrouping(text, groups, gi, gj) && isCardNumber(digitsOf(text, groups, gi, gj))) {
          best = gj;
        }
      }
      if (best >= 0) {
        if (!NumberLabels.follows(text, groups.get(gi)[0], NOT_CARDS)) {
          out.add(new Span(groups.get(gi)[0], groups.get(best)[1]));
        }
        gi = best + 1;
      } else {
        gi++;
      }
    }
  }

  private static boolean wholeNumber(String text, List<int[]> groups, int gi, int gj) {
    int digits = 0;
    for (int g = gi; g <= gj; g++) {
      digits += groups.get(g)[1] - groups.get(g)[0];
    }
    return digits >= 12 && digits <= 19 && printedGrouping(text, groups, gi, gj);
  }

  /**
   * A word char, a '+' (phone numbers) or a '.'/','/'-' followed by a word char, at pos (looking
   * in direction dir).
   */
  private static boolean glued(String text, int pos, int dir) {
    char c = Chars.at(text, pos);
    if (Chars.isWordChar(c) || (dir < 0 && c == '+')) {
      return true;
    }
    return (c == '.' || c == ',' || c == '-') && Chars.isWordChar(Chars.at(text, pos + dir));
  }

  private static boolean printedGrouping(String text, List<int[]> groups, int gi, int gj) {
    int count = gj - gi + 1;
    if (count == 1) {
      return true;
    }
    char sep = text.charAt(groups.get(gi)[1]);
    for (int g = gi; g < gj; g++) {
      if (text.charAt(groups.get(g)[1]) != sep) {
        return false;
      }
    }
    int[] len = new int[count];
    for (int g = 0; g < count; g++) {
      len[g] = groups.get(gi + g)[1] - groups.get(gi + g)[0];
    }
    if (len[0] != 4) {
      return false;
    }
    if (count == 3 && len[1] == 6 && (len[2] == 4 || len[2] == 5)) {
      return true; // Amex 4-6-5, Diners 4-6-4
    }
    for (int g = 1; g < count - 1; g++) {
      if (len[g] != 4) {
        return false;
      }
    }
    return len[count - 1] >= 1 && len[count - 1] <= 4;
  }

  private static String digitsOf(String text, List<int[]> groups, int gi, int gj) {
    StringBuilder sb = new StringBuilder(19);
    for (int g = gi; g <= gj; g++) {
      sb.append(text, groups.get(g)[0], groups.get(g)[1]);
    }
    return sb.toString();
  }

  /** True if the digits pass Luhn and belong to a known network with a valid length. */
  public static boolean isCardNumber(String digits) {
    return network(digits) != null && luhnValid(digits);
  }

  public static boolean luhnValid(String digits) {
    int sum = 0;
    boolean dbl = false;
    for (int k = digits.length() - 1; k >= 0; k--) {
      int d = digits.charAt(k) - '0';
      if (d < 0 || d > 9) {
        return false;
      }
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return digits.length() > 1 && sum % 10 == 0;
  }

  /** The card network whose prefix and length the digits match, or null. */
  public static String network(String d) {
    int len = d.length();
    if (len < 12 || len > 19) {
      return null;
    }
    int p2 = Integer.parseInt(d.substring(0, 2));
    int p3 = Integer.parseInt(d.substring(0, 3));
    int p4 = Integer.parseInt(d.substring(0, 4));
    int p6 = Integer.parseInt(d.substring(0, 6));
    if (d.charAt(0) == '4' && (len == 13 || len == 16 || len == 19)) {
      return "visa";
    }
    if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len == 16) {
      return "mastercard";
    }
    if ((p2 == 34 || p2 == 37) && len == 15) {
      return "amex";
    }
    boolean sixteenToNineteen = len >= 16;
    if ((p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925)) && sixteenToNineteen) {
      return "discover";
    }
    if (p4 >= 3528 && p4 <= 3589 && sixteenToNineteen) {
      return "jcb";
    }
    // JCB's older ranges, still in BIN tables
    if (len == 16 && (p4 >= 3088 && p4 <= 3094 || p4 >= 3096 && p4 <= 3102 || p4 >= 3112 && p4 <= 3120
        || p4 == 3158 || p4 == 3159 || p4 >= 3337 && p4 <= 3349)) {
      return "jcb";
    }
    if (((p3 >= 300 && p3 <= 305) || p3 == 309 || p2 == 36 || p2 == 38 || p2 == 39) && (len == 14 || len == 16)) {
      return "diners";
    }
    if ((p2 == 62 || p4 >= 8100 && p4 <= 8171) && sixteenToNineteen) {
      return "unionpay";
    }
    if (p4 >= 2200 && p4 <= 2204 && sixteenToNineteen) {
      return "mir";
    }
    if (p4 == 5019 && len == 16) {
      return "dankort";
    }
    if (p6 == 600722 && len == 16) {
      return "forbrugsforeningen";
    }
    if ((p4 == 6706 || p4 == 6709 || p4 == 6771) && sixteenToNineteen) {
      return "laser";
    }
    switch (p4) {
      case 5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763:
        return "maestro";
      default:
        return null;
    }
  }
}
