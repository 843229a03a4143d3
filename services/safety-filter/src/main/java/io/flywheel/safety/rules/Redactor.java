package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Replaces the spans of REDACT findings with {@code [REDACTED:<CATEGORY>]}.
 *
 * <p>Findings whose spans overlap or touch are merged into one span first, so no label is cut
 * in half and no fragment of a secret survives between two labels. The merged span takes the
 * category of one of its findings, chosen deterministically: highest severity, then earliest
 * start, then longest span, then smallest policy id. The label is that category upper-cased.
 */
public final class Redactor {

  private Redactor() {}

  static final Comparator<Finding> LABEL_ORDER = Comparator.comparingInt(Finding::severity).reversed()
      .thenComparingInt(f -> f.span().start())
      .thenComparing(Comparator.comparingInt((Finding f) -> f.span().length()).reversed())
      .thenComparing(Finding::policyId);

  /** A merged span and the category its label shows. */
  public record Redaction(Span span, String category) {
    public String label() {
      return "[REDACTED:" + category.toUpperCase(Locale.ROOT) + "]";
    }
  }

  /** The merged redactions for one text, sorted by start; only REDACT findings count. */
  public static List<Redaction> redactions(List<Finding> findingsOfOneText) {
    List<Finding> redact = new ArrayList<>();
    for (Finding f : findingsOfOneText) {
      if (f.action() == SafetyAction.REDACT) {
        redact.add(f);
      }
    }
    if (redact.isEmpty()) {
      return List.of();
    }
    redact.sort(Comparator.comparing(Finding::span));
    List<Redaction> out = new ArrayList<>();
    int i = 0;
    while (i < redact.size()) {
      Span merged = redact.get(i).span();
      Finding label = redact.get(i);
      int j = i + 1;
      while (j < redact.size() && redact.get(j).span().start() <= merged.end()) {
        Finding f = redact.get(j);
        merged = new Span(merged.start(), Math.max(merged.end(), f.span().end()));
        if (LABEL_ORDER.compare(f, label) < 0) {
          label = f;
        }
        j++;
      }
      out.add(new Redaction(merged, label.category()));
      i = j;
    }
    return out;
  }

  public static String redact(String text, List<Redaction> redactions) {
    if (redactions.isEmpty()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16 * redactions.size());
    int pos = 0;
    for (Redaction r : redactions) {
      sb.append(text, pos, r.span().start()).append(r.label());
      pos = r.span().end();
    }
    return sb.append(text, pos, text.length()).toString();
  }
}
