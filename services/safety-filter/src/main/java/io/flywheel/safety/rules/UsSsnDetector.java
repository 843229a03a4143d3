package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * US social security numbers written {@code AAA-GG-SSSS} (or with single spaces): area not 000,
 * 666 or 900–999, group not 00, serial not 0000, and not one of the numbers the SSA voided after
 * they were published (078-05-1120, 219-09-9999). Bare nine-digit runs are not matched: without
 * the separators they are indistinguishable from any other number.
 */
public final class UsSsnDetector implements Detector {

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    for (int i = 0; i + 11 <= n; i++) {
      char sep = text.charAt(i + 3);
      if ((sep != '-' && sep != ' ') || text.charAt(i + 6) != sep) {
        continue;
      }
      if (!digits(text, i, 3) || !digits(text, i + 4, 2) || !digits(text, i + 7, 4)) {
        continue;
      }
      int end = i + 11;
      if (Chars.joinedToWord(text, i, end) || Chars.at(text, i - 1) == '+') {
        continue;
      }
      if (sep == ' ' && (spaceDigit(text, i - 1, -1) || spaceDigit(text, end, 1))) {
        continue;
      }
      if (isValid(text.substring(i, i + 3), text.substring(i + 4, i + 6), text.substring(i + 7, end))) {
        out.add(new Span(i, end));
        i = end - 1;
      }
    }
    return out;
  }

  private static boolean spaceDigit(String text, int pos, int dir) {
    return Chars.at(text, pos) == ' ' && Chars.isAsciiDigit(Chars.at(text, pos + dir));
  }

  private static boolean digits(String text, int from, int count) {
    for (int k = from; k < from + count; k++) {
      if (!Chars.isAsciiDigit(text.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  public static boolean isValid(String area, String group, String serial) {
    int a = Integer.parseInt(area);
    if (a == 0 || a == 666 || a >= 900) {
      return false;
    }
    if (Integer.parseInt(group) == 0 || Integer.parseInt(serial) == 0) {
      return false;
    }
    String all = area + group + serial;
    return !all.equals("078051120") && !all.equals("219099999");
  }
}
