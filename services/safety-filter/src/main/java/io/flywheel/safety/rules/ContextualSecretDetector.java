package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A random-looking token right after a word that names a secret: {@code api_key=…},
 * {@code "token": "…"}, {@code Authorization: Bearer …}, {@code AccountKey=…}. It catches keys
 * that carry no prefix of their own (Cohere, Mistral, Azure OpenAI, Azure storage, Together) and
 * formats {@link SecretKeyDetector} does not know.
 *
 * <p>After the context word (case-insensitive, not inside a longer word; {@code OPENAI_API_KEY}
 * counts) come an optional closing quote, {@code =}, {@code :} or {@code =>} (or only a space
 * after {@code Bearer} and {@code token}), an optional opening quote, then the candidate: a run
 * of {@code [A-Za-z0-9_\-.+/=~]} of 20–4096 chars. It is a secret if it has at least two digits
 * and two letters and a char entropy of at least {@value #MIN_BITS_PER_CHAR} bits: identifiers
 * ({@code process.env.OPENAI_API_KEY}), placeholders ({@code <your-key>}, {@code ${TOKEN}}) and
 * words do not pass. The span is the candidate alone.
 */
public final class ContextualSecretDetector implements Detector {

  static final List<String> CONTEXT_WORDS = List.of("api_key", "api-key", "apikey", "api_token", "access_key",
      "secret_key", "client_secret", "secret", "access_token", "auth_token", "token", "bearer", "accountkey",
      "sharedaccesskey", "subscription-key", "private_token");
  static final double MIN_BITS_PER_CHAR = 3.0;
  static final int MIN_LENGTH = 20;
  static final int MAX_LENGTH = 4096;

  @Override
  public List<Span> find(String text) {
    List<Span> out = null;
    // Only the chars that can follow a context word are inspected: '=' and ':' (after an optional
    // closing quote and spaces) and a space after Bearer or token; prose has few of them.
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c != '=' && c != ':' && c != ' ') {
        continue;
      }
      int wordEnd = i;
      if (c != ' ') {
        while (wordEnd > 0 && (text.charAt(wordEnd - 1) == ' ' || text.charAt(wordEnd - 1) == '\t')) {
          wordEnd--;
        }
        if (wordEnd > 0 && (text.charAt(wordEnd - 1) == '"' || text.charAt(wordEnd - 1) == '\'')) {
          wordEnd--;
        }
      }
      // every context word ends in y, n, t or r: one char rules out most separators cheaply
      char last = (char) (Chars.at(text, wordEnd - 1) | 0x20);
      if (last != 'y' && last != 'n' && last != 't' && last != 'r') {
        continue;
      }
      String word = contextWordEndingAt(text, wordEnd, c == ' ' ? SPACE_ENOUGH : CONTEXT_WORDS);
      if (word == null) {
        continue;
      }
      Span candidate = candidateAfter(text, wordEnd, SPACE_ENOUGH.contains(word));
      if (candidate != null && random(text, candidate.start(), candidate.end())) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.add(candidate);
      }
    }
    return out == null ? List.of() : Spans.normalize(out);
  }

  private static final List<String> SPACE_ENOUGH = List.of("bearer", "token");

  /** The context word that ends at {@code end} and does not continue a longer word, or null. */
  private static String contextWordEndingAt(String t, int end, List<String> words) {
    for (String w : words) {
      int s = end - w.length();
      if (s >= 0 && t.regionMatches(true, s, w, 0, w.length()) && !Chars.isAsciiLetter(Chars.at(t, s - 1))) {
        return w;
      }
    }
    return null;
  }

  private static boolean isCandidateChar(char c) {
    return Chars.isAsciiAlnum(c) || "_-.+/=~".indexOf(c) >= 0;
  }

  /** The token after "word", "word=", "word": ", "word =>" ...; null if the shape does not fit. */
  private static Span candidateAfter(String t, int i, boolean spaceEnough) {
    int n = t.length();
    if (i < n && (t.charAt(i) == '"' || t.charAt(i) == '\'')) {
      i++;
    }
    int spaces = 0;
    while (i < n && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
      i++;
      spaces++;
    }
    boolean separated = false;
    if (i < n && (t.charAt(i) == '=' || t.charAt(i) == ':')) {
      i++;
      separated = true;
      if (i < n && t.charAt(i) == '>') {
        i++;
      }
    }
    if (!separated && !(spaceEnough && spaces > 0)) {
      return null;
    }
    while (i < n && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
      i++;
    }
    if (i < n && (t.charAt(i) == '"' || t.charAt(i) == '\'')) {
      i++;
    }
    int start = i;
    while (i < n && i - start <= MAX_LENGTH && isCandidateChar(t.charAt(i))) {
      i++;
    }
    int end = i;
    // a sentence or list that ends right after the key: "token: abc…xyz."
    while (end > start && (t.charAt(end - 1) == '.' || t.charAt(end - 1) == ',')) {
      end--;
    }
    int len = end - start;
    return len >= MIN_LENGTH && len <= MAX_LENGTH ? new Span(start, end) : null;
  }

  /** At least two digits and two letters, and enough distinct chars spread evenly enough. */
  static boolean random(String t, int s, int e) {
    int digits = 0;
    int letters = 0;
    int[] counts = new int[128];
    for (int k = s; k < e; k++) {
      char c = t.charAt(k);
      digits += Chars.isAsciiDigit(c) ? 1 : 0;
      letters += Chars.isAsciiLetter(c) ? 1 : 0;
      counts[c]++;
    }
    if (digits < 2 || letters < 2) {
      return false;
    }
    double bits = 0;
    int len = e - s;
    for (int c : counts) {
      if (c > 0) {
        double p = (double) c / len;
        bits -= p * Math.log(p) / Math.log(2);
      }
    }
    return bits >= MIN_BITS_PER_CHAR && !SecretKeyDetector.placeholder(t, s, e);
  }
}
