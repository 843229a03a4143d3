package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * E-mail addresses in the common {@code local@domain.tld} form (Unicode letters allowed, as in
 * RFC 6531). The local part is 1–64 chars without leading, trailing or doubled dots; the domain
 * has at least two labels of 1–63 letters, digits and inner hyphens, at most 253 chars, and a
 * top-level label of 2–63 letters. Package specs ({@code lodash@4.17.21}), retina asset names
 * ({@code icon@2x.png}), handles and annotations are not addresses.
 */
public final class EmailDetector implements Detector {

  private static boolean isLocalChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
  }

  private static boolean isDomainChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '-';
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int from = 0;
    int at;
    int lastEnd = 0;
    while ((at = text.indexOf('@', from)) >= 0) {
      from = at + 1;
      if (at < lastEnd) {
        continue;
      }
      int s = at;
      while (s > lastEnd && isLocalChar(text.charAt(s - 1))) {
        s--;
      }
      while (s < at && (text.charAt(s) == '.' || text.charAt(s) == '\'')) {
        s++; // an ellipsis or a quote before the address is not part of it
      }
      int e = at + 1;
      while (e < n && isDomainChar(text.charAt(e))) {
        e++;
      }
      while (e > at + 1 && (text.charAt(e - 1) == '.' || text.charAt(e - 1) == '-')) {
        e--; // sentence punctuation
      }
      if (s == at || e == at + 1) {
        continue;
      }
      if (Chars.at(text, e) == '@' || Chars.at(text, s - 1) == '@') {
        continue;
      }
      if (validLocal(text, s, at) && validDomain(text.substring(at + 1, e))) {
        out.add(new Span(s, e));
        lastEnd = e;
      }
    }
    return out;
  }

  private static boolean validLocal(String text, int s, int at) {
    int len = at - s;
    if (len < 1 || len > 64 || text.charAt(at - 1) == '.') {
      return false;
    }
    for (int k = s + 1; k < at; k++) {
      if (text.charAt(k) == '.' && text.charAt(k - 1) == '.') {
        return false;
      }
    }
    return true;
  }

  static boolean validDomain(String domain) {
    if (domain.length() > 253) {
      return false;
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      return false;
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63 || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
        return false;
      }
    }
    String tld = labels[labels.length - 1];
    if (tld.length() < 2) {
      return false;
    }
    for (int k = 0; k < tld.length(); k++) {
      if (!Character.isLetter(tld.charAt(k))) {
        return false;
      }
    }
    // icon@2x.png, logo@3x.webp: density suffixes of image assets, not mail domains.
    String first = labels[0];
    return !(labels.length == 2 && first.length() <= 2 && first.endsWith("x") && Chars.isAsciiDigit(first.charAt(0)));
  }
}
