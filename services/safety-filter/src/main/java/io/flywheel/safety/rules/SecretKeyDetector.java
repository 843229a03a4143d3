package io.flywheel.safety.rules;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * API keys and tokens in the published formats of their issuers: AWS access key ids
 * ({@code AKIA}/{@code ASIA}… + 16 base32 chars), GitHub tokens ({@code ghp_}, {@code gho_},
 * {@code ghu_}, {@code ghs_}, {@code ghr_}, {@code github_pat_}), Slack tokens ({@code xoxb-}…),
 * Stripe secret and restricted keys ({@code sk_live_}, {@code rk_live_}, {@code sk_test_}),
 * Google API keys ({@code AIza}…), GitLab personal tokens ({@code glpat-}) and npm tokens
 * ({@code npm_}). A match must stand alone (no token char right before or after) and its random
 * part must not be a placeholder such as {@code ghp_xxxxxxxx…}.
 */
public final class SecretKeyDetector implements Detector {

  private static final Pattern TOKENS = Pattern.compile(
      "(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"
          + "|gh[pousr]_[A-Za-z0-9]{36}"
          + "|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"
          + "|xox[abposr]-(?:[0-9]+-){1,3}[A-Za-z0-9]{24,64}"
          + "|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,247}"
          + "|AIza[A-Za-z0-9_\\-]{35}"
          + "|glpat-[A-Za-z0-9_\\-]{20}"
          + "|npm_[A-Za-z0-9]{36}");

  private static boolean isTokenChar(char c) {
    return Chars.isAsciiAlnum(c) || c == '_' || c == '-';
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    Matcher m = TOKENS.matcher(text);
    int from = 0;
    while (from < text.length() && m.find(from)) {
      int s = m.start();
      int e = m.end();
      if (!isTokenChar(Chars.at(text, s - 1)) && !isTokenChar(Chars.at(text, e)) && !placeholder(text, s, e)) {
        out.add(new Span(s, e));
        from = e;
      } else {
        from = s + 1;
      }
    }
    return out;
  }

  /** Too few distinct chars in the random tail: a documentation placeholder, not a key. */
  private static boolean placeholder(String text, int s, int e) {
    int tail = Math.max(s, e - 16);
    long distinct = text.substring(tail, e).chars().distinct().count();
    return distinct < 6;
  }
}
