package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * API keys and tokens in the formats of their issuers: a fixed prefix, then a body of a known
 * alphabet and length ({@link #FORMATS}; the README lists them and says which are documented by
 * the issuer and which are inferred from keys seen in the wild).
 *
 * <p>A key must be a whole token — a maximal run of {@code [A-Za-z0-9_-]} — so a key glued to
 * other token chars is not matched, and its random tail must not be a placeholder such as
 * {@code ghp_xxxxxxxx…}. The text is split into tokens in one pass and each token is checked
 * against the formats by hand (a regex engine cost ~270 µs per KiB here; this costs ~2 µs).
 * Keys without a prefix of their own (Cohere, Mistral, Azure) are left to
 * {@link ContextualSecretDetector}.
 */
public final class SecretKeyDetector implements Detector {

  /** Checks the part of a token after the prefix: {@code t[from, to)}. */
  @FunctionalInterface
  interface Body {
    boolean matches(String t, int from, int to);
  }

  /** One issuer's key format. */
  record KeyFormat(String issuer, String prefix, Body body) {}

  static boolean isTokenChar(char c) {
    return Chars.isAsciiAlnum(c) || c == '_' || c == '-';
  }

  static final List<KeyFormat> FORMATS = formats();

  private static List<KeyFormat> formats() {
    List<KeyFormat> f = new ArrayList<>();
    for (String p : List.of("AKIA", "ASIA", "ABIA", "ACCA")) {
      f.add(new KeyFormat("AWS access key id", p, exactly(16, Kind.BASE32)));
    }
    for (String p : List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_")) {
      f.add(new KeyFormat("GitHub token", p, exactly(36, Kind.ALNUM)));
    }
    f.add(new KeyFormat("GitHub fine-grained token", "github_pat_", (t, s, e) -> e - s == 22 + 1 + 59
        && all(t, s, s + 22, Kind.ALNUM) && t.charAt(s + 22) == '_' && all(t, s + 23, e, Kind.ALNUM)));
    for (char c : "abposr".toCharArray()) {
      f.add(new KeyFormat("Slack token", "xox" + c + "-", SecretKeyDetector::slack));
    }
    for (String p : List.of("sk_live_", "rk_live_", "sk_test_", "rk_test_")) {
      f.add(new KeyFormat("Stripe secret key", p, between(24, 247, Kind.ALNUM)));
    }
    f.add(new KeyFormat("Google API key (Google Cloud, Gemini / AI Studio)", "AIza", exactly(35, Kind.TOKEN)));
    f.add(new KeyFormat("GitLab token", "glpat-", exactly(20, Kind.TOKEN)));
    f.add(new KeyFormat("npm token", "npm_", exactly(36, Kind.ALNUM)));
    // Model providers
    for (String p : List.of("sk-proj-", "sk-svcacct-", "sk-admin-")) {
      f.add(new KeyFormat("OpenAI project / service-account / admin key", p, between(40, 250, Kind.TOKEN)));
    }
    f.add(new KeyFormat("OpenAI legacy user key", "sk-", mixed(exactly(48, Kind.ALNUM))));
    f.add(new KeyFormat("DeepSeek key", "sk-", exactly(32, Kind.LOWER_HEX)));
    f.add(new KeyFormat("OpenRouter key", "sk-or-v1-", exactly(64, Kind.LOWER_HEX)));
    f.add(new KeyFormat("Anthropic key", "sk-ant-", SecretKeyDetector::anthropic));
    f.add(new KeyFormat("Hugging Face user token", "hf_", mixed(exactly(34, Kind.ALPHA))));
    f.add(new KeyFormat("Hugging Face organization token", "api_org_", mixed(exactly(34, Kind.ALPHA))));
    f.add(new KeyFormat("Replicate token", "r8_", mixed(exactly(37, Kind.ALNUM))));
    f.add(new KeyFormat("Groq key", "gsk_", mixed(exactly(52, Kind.ALNUM))));
    f.add(new KeyFormat("Perplexity key", "pplx-", mixed(exactly(48, Kind.ALNUM))));
    f.add(new KeyFormat("xAI key", "xai-", mixed(exactly(80, Kind.ALNUM))));
    for (String p : List.of("lsv2_pt_", "lsv2_sk_")) {
      f.add(new KeyFormat("LangSmith key", p, (t, s, e) -> e - s == 32 + 1 + 10 && all(t, s, s + 32, Kind.LOWER_HEX)
          && t.charAt(s + 32) == '_' && all(t, s + 33, e, Kind.LOWER_HEX)));
    }
    // Developer platforms
    for (String p : List.of("shpat_", "shpca_", "shppa_", "shpss_")) {
      f.add(new KeyFormat("Shopify token", p, exactly(32, Kind.HEX)));
    }
    f.add(new KeyFormat("Databricks token", "dapi", (t, s, e) -> e - s >= 32 && all(t, s, s + 32, Kind.LOWER_HEX)
        && (e - s == 32 || e - s >= 34 && t.charAt(s + 32) == '-' && all(t, s + 33, e, Kind.DIGIT))));
    for (String p : List.of("dop_v1_", "doo_v1_", "dor_v1_")) {
      f.add(new KeyFormat("DigitalOcean token", p, exactly(64, Kind.LOWER_HEX)));
    }
    f.add(new KeyFormat("PyPI token", "pypi-AgEIcHlwaS5vcmc", between(50, 500, Kind.TOKEN)));
    f.add(new KeyFormat("Docker Hub token", "dckr_pat_", exactly(27, Kind.TOKEN)));
    f.add(new KeyFormat("Linear key", "lin_api_", mixed(exactly(40, Kind.ALNUM))));
    f.add(new KeyFormat("Postman key", "PMAK-", (t, s, e) -> e - s == 24 + 1 + 34 && all(t, s, s + 24, Kind.LOWER_HEX)
        && t.charAt(s + 24) == '-' && all(t, s + 25, e, Kind.LOWER_HEX)));
    f.add(new KeyFormat("Supabase token", "sbp_", exactly(40, Kind.LOWER_HEX)));
    return List.copyOf(f);
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
    for (KeyFormat f : FORMATS) {
      if (t.startsWith(f.prefix(), s) && f.body().matches(t, s + f.prefix().length(), e)) {
        return true;
      }
    }
    return false;
  }

  private static Body exactly(int length, Kind kind) {
    return (t, s, e) -> e - s == length && all(t, s, e, kind);
  }

  private static Body between(int min, int max, Kind kind) {
    return (t, s, e) -> e - s >= min && e - s <= max && all(t, s, e, kind);
  }

  /**
   * Two of upper case, lower case and digits in the body: random keys always have them, while a
   * long identifier after a short prefix ({@code sk-}, {@code hf_}) usually does not.
   */
  private static Body mixed(Body body) {
    return (t, s, e) -> {
      if (!body.matches(t, s, e)) {
        return false;
      }
      boolean upper = false;
      boolean lower = false;
      boolean digit = false;
      for (int k = s; k < e; k++) {
        char c = t.charAt(k);
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        digit |= Chars.isAsciiDigit(c);
      }
      return (upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) >= 2;
    };
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

  /** {@code sk-ant-api03-…}: a kind (lower-case letters, two digits), '-', then 80–120 token chars. */
  private static boolean anthropic(String t, int s, int e) {
    int k = s;
    while (k < e && t.charAt(k) >= 'a' && t.charAt(k) <= 'z') {
      k++;
    }
    if (k == s || k + 3 > e || !Chars.isAsciiDigit(t.charAt(k)) || !Chars.isAsciiDigit(t.charAt(k + 1))
        || t.charAt(k + 2) != '-') {
      return false;
    }
    int body = e - (k + 3);
    return body >= 80 && body <= 120;
  }

  private enum Kind { BASE32, ALNUM, ALPHA, TOKEN, HEX, LOWER_HEX, DIGIT }

  private static boolean all(String t, int from, int to, Kind kind) {
    for (int k = from; k < to; k++) {
      char c = t.charAt(k);
      boolean ok = switch (kind) {
        case BASE32 -> (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
        case ALNUM -> Chars.isAsciiAlnum(c);
        case ALPHA -> Chars.isAsciiLetter(c);
        case TOKEN -> isTokenChar(c);
        case HEX -> Chars.isHex(c);
        case LOWER_HEX -> Chars.isAsciiDigit(c) || (c >= 'a' && c <= 'f');
        case DIGIT -> Chars.isAsciiDigit(c);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Too few distinct chars in the random tail: a documentation placeholder, not a key. */
  static boolean placeholder(String text, int s, int e) {
    int tail = Math.max(s, e - 16);
    long distinct = text.substring(tail, e).chars().distinct().count();
    return distinct < 6;
  }
}
