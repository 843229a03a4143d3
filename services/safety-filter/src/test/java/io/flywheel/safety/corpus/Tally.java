package io.flywheel.safety.corpus;

import io.flywheel.safety.rules.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * True and false positives and misses of one detector, counted by exact span: a found span is a
 * true positive only if it equals an expected span; every other found span is a false positive
 * unless it equals a span the caller tolerates; every expected span not found is a miss.
 */
final class Tally {

  int tp;
  int fp;
  int fn;
  final List<String> examples = new ArrayList<>();

  double precision() {
    return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
  }

  double recall() {
    return tp + fn == 0 ? 1.0 : (double) tp / (tp + fn);
  }

  static long key(int start, int end) {
    return ((long) start << 32) | end;
  }

  /** Scores one text: {@code expected} and {@code tolerated} hold {@link #key} values. */
  void add(String where, String text, List<Span> found, Set<Long> expected, Set<Long> tolerated) {
    Set<Long> seen = new HashSet<>();
    for (Span span : found) {
      long k = key(span.start(), span.end());
      seen.add(k);
      if (expected.contains(k)) {
        tp++;
      } else if (!tolerated.contains(k)) {
        fp++;
        example("FP " + where + " «" + span.of(text) + "»");
      }
    }
    for (long e : expected) {
      if (!seen.contains(e)) {
        fn++;
        example("FN " + where + " «" + text.substring((int) (e >>> 32), (int) e) + "»");
      }
    }
  }

  private void example(String s) {
    if (examples.size() < Integer.getInteger("quality.examples", 5)) {
      examples.add(s.replace('\n', '⏎'));
    }
  }
}
