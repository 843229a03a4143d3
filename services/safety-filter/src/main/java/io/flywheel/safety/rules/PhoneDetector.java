package io.flywheel.safety.rules;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Phone numbers, found and validated by libphonenumber ({@code findNumbers} with
 * {@link PhoneNumberUtil.Leniency#VALID}): the number must be valid for its region, and
 * numbers without a country code are read in the configured default region. Its matcher uses
 * bounded patterns and stops after {@code maxTries} candidates, so a hostile text cannot make it
 * slow; numbers beyond that many candidates in one text are not found. Matches that are dotted
 * quads (IPv4 addresses) or continue a code ({@code ORD-2015-731033}) are dropped, and an
 * unbalanced bracket the matcher keeps at either end is trimmed.
 */
public final class PhoneDetector implements Detector {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String defaultRegion;
  private final long maxTries;

  public PhoneDetector(String defaultRegion, long maxTries) {
    if (!UTIL.getSupportedRegions().contains(defaultRegion)) {
      throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "'");
    }
    this.defaultRegion = defaultRegion;
    this.maxTries = maxTries;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  private static final Detector[] OTHER_NUMBERS = {
      new PaymentCardDetector(), new IbanDetector(), new IpAddressDetector()};

  /**
   * Blanks out card numbers, IBANs and IP addresses (same length, so offsets stay): they are not
   * phone numbers, and libphonenumber spends most of its time (~0.8 ms per number-rich KiB)
   * trying to read their digit groups as one.
   */
  private static String maskOtherNumbers(String text) {
    char[] chars = null;
    for (Detector d : OTHER_NUMBERS) {
      for (Span sp : d.find(text)) {
        if (chars == null) {
          chars = text.toCharArray();
        }
        java.util.Arrays.fill(chars, sp.start(), sp.end(), ' ');
      }
    }
    return chars == null ? text : new String(chars);
  }

  /** 215.42.154.15(/23) is an IPv4 address, even when its digits make a valid phone number. */
  private static boolean dottedQuad(String raw) {
    int end = IpAddressDetector.parseV4(raw, 0);
    return end > 0 && (end == raw.length() || raw.charAt(end) == '/' || raw.charAt(end) == ':');
  }

  /** ORD-2015-731033, build/2154215415: digits that continue a code are not a phone number. */
  private static boolean gluedToCode(String text, int start, int end) {
    char before = Chars.at(text, start - 1);
    char after = Chars.at(text, end);
    boolean left = (before == '-' || before == '/' || before == '_' || before == '#')
        && Chars.isAsciiAlnum(Chars.at(text, start - 2));
    boolean right = (after == '-' || after == '/' || after == '_') && Chars.isAsciiAlnum(Chars.at(text, end + 1));
    return left || right;
  }

  /** Fewer digits than the shortest number libphonenumber can validate: skip its costly scan. */
  static final int MIN_DIGITS = 5;

  @Override
  public List<Span> find(String text) {
    int digits = 0;
    for (int i = 0, n = text.length(); i < n && digits < MIN_DIGITS; i++) {
      if (Character.isDigit(text.charAt(i))) {
        digits++;
      }
    }
    if (digits < MIN_DIGITS) {
      return List.of();
    }
    List<Span> out = new ArrayList<>();
    String scanned = maskOtherNumbers(text);
    for (PhoneNumberMatch m : UTIL.findNumbers(scanned, defaultRegion, PhoneNumberUtil.Leniency.VALID, maxTries)) {
      int start = m.start();
      int end = m.end();
      String raw = m.rawString();
      // "(+44 20 7946 0958)": the matcher keeps an opening bracket whose partner is outside
      if (raw.startsWith("(") && raw.indexOf(')') < 0) {
        start++;
      }
      if (raw.endsWith(")") && raw.indexOf('(') < 0) {
        end--;
      }
      if (dottedQuad(raw) || gluedToCode(scanned, start, end)) {
        continue;
      }
      out.add(new Span(start, end));
    }
    return Spans.normalize(out);
  }
}
