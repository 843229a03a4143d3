package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;

/** Helpers that keep the {@link Detector} contract: sorted, non-overlapping spans. */
final class Spans {

  private Spans() {}

  /** Sorts and unites overlapping spans (touching spans stay apart: they are two matches). */
  static List<Span> normalize(List<Span> spans) {
    if (spans.size() <= 1) {
      return List.copyOf(spans);
    }
    List<Span> sorted = new ArrayList<>(spans);
    sorted.sort(null);
    List<Span> out = new ArrayList<>(sorted.size());
    Span current = sorted.get(0);
    for (int i = 1; i < sorted.size(); i++) {
      Span next = sorted.get(i);
      if (next.start() < current.end()) {
        current = new Span(current.start(), Math.max(current.end(), next.end()));
      } else {
        out.add(current);
        current = next;
      }
    }
    out.add(current);
    return List.copyOf(out);
  }
}
