package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Finds every keyword (or phrase) of a list in one pass over the text, whatever the size of the
 * list (an Aho–Corasick automaton built once, see {@link KeywordAutomaton}). Matching ignores case (char by char, so spans
 * stay exact), treats any run of whitespace as one space and a typographic apostrophe as
 * {@code '}, and only accepts whole words: a keyword that starts (ends) with a word char must not
 * have a word char (letter, digit, underscore) right before (after) it.
 */
public final class KeywordDetector implements Detector {

  private final KeywordAutomaton automaton;

  public KeywordDetector(Collection<String> keywords) {
    List<String> normalized = new ArrayList<>();
    for (String k : keywords) {
      String norm = normalizeKeyword(k);
      if (!norm.isEmpty()) {
        normalized.add(norm);
      }
    }
    if (normalized.isEmpty()) {
      throw new IllegalArgumentException("no non-blank keyword");
    }
    this.automaton = new KeywordAutomaton(normalized);
  }

  static String normalizeKeyword(String k) {
    return fold(k.strip(), null).toString();
  }

  @Override
  public List<Span> find(String text) {
    int[] origin = null;
    CharSequence folded = text;
    if (needsFolding(text)) {
      origin = new int[text.length() + 1];
      folded = fold(text, origin);
    }
    List<Span> out = new ArrayList<>();
    final CharSequence f = folded;
    final int[] o = origin;
    automaton.scan(folded, (s, end) -> {
      if (Chars.isWordChar(f.charAt(s)) && s > 0 && Chars.isWordChar(f.charAt(s - 1))) {
        return;
      }
      if (Chars.isWordChar(f.charAt(end - 1)) && end < f.length() && Chars.isWordChar(f.charAt(end))) {
        return;
      }
      out.add(o == null ? new Span(s, end) : new Span(o[s], o[end - 1] + 1));
    });
    if (out.isEmpty()) {
      return List.of();
    }
    return Spans.normalize(out);
  }

  private static boolean needsFolding(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c == '\u2019' || c == '\u00a0' || (Character.isWhitespace(c)
          && (c != ' ' || (i + 1 < n && Character.isWhitespace(text.charAt(i + 1)))))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Collapses whitespace runs to one space and maps ’ to '. If origin is not null, origin[k] is
   * the index in text of folded char k.
   */
  private static CharSequence fold(String text, int[] origin) {
    StringBuilder sb = new StringBuilder(text.length());
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || c == '\u00a0') {
        if (origin != null) {
          origin[sb.length()] = i;
        }
        sb.append(' ');
        while (i + 1 < n && (Character.isWhitespace(text.charAt(i + 1)) || text.charAt(i + 1) == '\u00a0')) {
          i++;
        }
        continue;
      }
      if (origin != null) {
        origin[sb.length()] = i;
      }
      sb.append(c == '\u2019' ? '\'' : c);
    }
    return sb;
  }
}
