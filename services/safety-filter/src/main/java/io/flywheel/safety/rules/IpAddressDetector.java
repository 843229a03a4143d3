package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 and IPv6 addresses.
 *
 * <p>IPv4: exactly four dotted decimal octets 0–255 without leading zeros; a fifth part, a
 * leading letter ({@code v1.2.3.4}) or a neighbouring digit makes it something else (a version,
 * an OID). IPv6: RFC 4291 text form (eight groups, or fewer with one {@code ::}, optionally an
 * IPv4 tail), written in one letter case and containing at least one decimal digit, so that
 * {@code Foo::Bar} or {@code dead::beef} in code is not an address.
 */
public final class IpAddressDetector implements Detector {

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    findV4(text, out);
    findV6(text, out);
    return Spans.normalize(out);
  }

  private static void findV4(String text, List<Span> out) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (!Chars.isAsciiDigit(c) || Chars.isAsciiDigit(Chars.at(text, i - 1))) {
        i++;
        continue;
      }
      int end = parseV4(text, i);
      if (end > 0 && v4Bounded(text, i, end)) {
        out.add(new Span(i, end));
        i = end;
      } else {
        // skip this digit run
        while (i < n && Chars.isAsciiDigit(text.charAt(i))) {
          i++;
        }
      }
    }
  }

  private static boolean v4Bounded(String text, int start, int end) {
    char before = Chars.at(text, start - 1);
    char after = Chars.at(text, end);
    if (Chars.isWordChar(before) || Chars.isWordChar(after)) {
      return false;
    }
    if (before == '.' && Chars.isAsciiAlnum(Chars.at(text, start - 2))) {
      return false;
    }
    return !(after == '.' && Chars.isAsciiAlnum(Chars.at(text, end + 1)));
  }

  /** Returns the end of a dotted quad starting at i, or -1. */
  static int parseV4(CharSequence text, int i) {
    int n = text.length();
    int pos = i;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (pos >= n || text.charAt(pos) != '.') {
          return -1;
        }
        pos++;
      }
      int start = pos;
      int value = 0;
      while (pos < n && Chars.isAsciiDigit(text.charAt(pos)) && pos - start < 4) {
        value = value * 10 + (text.charAt(pos) - '0');
        pos++;
      }
      int len = pos - start;
      if (len == 0 || len > 3 || value > 255 || (len > 1 && text.charAt(start) == '0')) {
        return -1;
      }
    }
    return pos;
  }

  private static boolean isV6Char(char c) {
    return Chars.isHex(c) || c == ':' || c == '.';
  }

  private static void findV6(String text, List<Span> out) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isV6Char(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isV6Char(text.charAt(i))) {
        i++;
      }
      int end = i;
      while (end > start && text.charAt(end - 1) == '.') {
        end--;
      }
      if (end - start >= 2 && text.charAt(end - 1) == ':' && text.charAt(end - 2) != ':') {
        end--;
      }
      int s = start;
      while (s < end && text.charAt(s) == '.') {
        s++;
      }
      if (end - s < 3 || Chars.isWordChar(Chars.at(text, s - 1)) || Chars.isWordChar(Chars.at(text, end))) {
        continue;
      }
      if (isV6(text.substring(s, end))) {
        out.add(new Span(s, end));
      }
    }
  }

  /** Strict RFC 4291 text form plus the digit and single-case rules above. */
  static boolean isV6(String s) {
    boolean digit = false;
    boolean lower = false;
    boolean upper = false;
    int colons = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      digit |= Chars.isAsciiDigit(c);
      lower |= c >= 'a' && c <= 'f';
      upper |= c >= 'A' && c <= 'F';
      colons += c == ':' ? 1 : 0;
    }
    if (!digit || (lower && upper) || colons < 2) {
      return false;
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    if (s.contains(":::")) {
      return false;
    }
    int groups;
    if (dbl >= 0) {
      int left = countGroups(s.substring(0, dbl), false);
      int right = countGroups(s.substring(dbl + 2), true);
      if (left < 0 || right < 0) {
        return false;
      }
      groups = left + right;
      return groups <= 7 && (groups > 0);
    }
    groups = countGroups(s, true);
    return groups == 8;
  }

  /** Counts 16-bit groups in a ':'-separated list; an IPv4 tail counts as two; -1 if malformed. */
  private static int countGroups(String part, boolean allowV4Tail) {
    if (part.isEmpty()) {
      return 0;
    }
    String[] items = part.split(":", -1);
    int groups = 0;
    for (int k = 0; k < items.length; k++) {
      String item = items[k];
      if (item.indexOf('.') >= 0) {
        if (!allowV4Tail || k != items.length - 1 || parseV4(item, 0) != item.length()) {
          return -1;
        }
        groups += 2;
        continue;
      }
      if (item.isEmpty() || item.length() > 4) {
        return -1;
      }
      for (int c = 0; c < item.length(); c++) {
        if (!Chars.isHex(item.charAt(c))) {
          return -1;
        }
      }
      groups++;
    }
    return groups;
  }
}
