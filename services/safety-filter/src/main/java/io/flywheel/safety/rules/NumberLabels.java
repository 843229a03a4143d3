package io.flywheel.safety.rules;

import java.util.Locale;
import java.util.Set;

/** The word written right before a number, which often says what kind of number it is. */
final class NumberLabels {

  private NumberLabels() {}

  private static final Set<String> NUMBER_NOUNS = Set.of("no", "nr", "num", "number", "nummer", "numéro", "número",
      "numero", "n", "n°");

  /**
   * True if the word before {@code start} — skipping spaces, ':', '#', '.', '-', '=', and a noun
   * like "no." or "number" ("Invoice no. 12", "tracking number: 12") — is one of {@code words}.
   */
  static boolean follows(String text, int start, Set<String> words) {
    int i = start;
    for (int step = 0; step < 2; step++) {
      while (i > 0 && " \t:#.-№=".indexOf(text.charAt(i - 1)) >= 0) {
        i--;
      }
      int wordEnd = i;
      while (i > 0 && (Character.isLetter(text.charAt(i - 1)) || text.charAt(i - 1) == '°')) {
        i--;
      }
      String word = text.substring(i, wordEnd).toLowerCase(Locale.ROOT);
      if (words.contains(word)) {
        return true;
      }
      if (!NUMBER_NOUNS.contains(word)) {
        return false;
      }
    }
    return false;
  }
}
