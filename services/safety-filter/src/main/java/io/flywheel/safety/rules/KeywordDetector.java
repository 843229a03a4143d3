package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

/**
 * Finds every keyword (or phrase) of a list in one pass over the text, whatever the size of the
 * list (an Aho–Corasick automaton built once). Matching ignores case (char by char, so spans
 * stay exact), treats any run of whitespace as one space and a typographic apostrophe as
 * {@code '}, and only accepts whole words: a keyword that starts (ends) with a word char must not
 * have a word char (letter, digit, underscore) right before (after) it.
 */
public final class KeywordDetector implements Detector {

  private final Trie trie;

  public KeywordDetector(Collection<String> keywords) {
    Trie.TrieBuilder builder = Trie.builder().ignoreCase();
    int added = 0;
    for (String k : keywords) {
      String norm = normalizeKeyword(k);
      if (!norm.isEmpty()) {
        builder.addKeyword(norm);
        added++;
      }
    }
    if (added == 0) {
      throw new IllegalArgumentException("no non-blank keyword");
    }
    this.trie = builder.build();
  }

  static String normalizeKeyword(String k) {
    return fold(k.strip(), null).toString();
  }

  @Override
  public List<Span> find(String text) {
    int[] origin = new int[text.length() + 1];
    CharSequence folded = fold(text, origin);
    Collection<Emit> emits = trie.parseText(folded);
    if (emits.isEmpty()) {
      return List.of();
    }
    List<Span> out = new ArrayList<>(emits.size());
    for (Emit e : emits) {
      int s = e.getStart();
      int end = e.getEnd() + 1; // Emit ends are inclusive
      if (Chars.isWordChar(folded.charAt(s)) && s > 0 && Chars.isWordChar(folded.charAt(s - 1))) {
        continue;
      }
      if (Chars.isWordChar(folded.charAt(end - 1)) && end < folded.length() && Chars.isWordChar(folded.charAt(end))) {
        continue;
      }
      out.add(new Span(origin[s], origin[end - 1] + 1));
    }
    return Spans.normalize(out);
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
