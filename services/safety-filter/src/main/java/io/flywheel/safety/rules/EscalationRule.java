package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * When a user is escalated: per tumbling window of {@code window} (aligned to the epoch, by the
 * completion's event time) the user's findings are counted by category; the first completion
 * that brings the count to {@code threshold} escalates the user, once per window. Only findings
 * in the {@code countedTargets} texts count (by default both: a user's prompts and the
 * responses produced for them).
 */
public record EscalationRule(Duration window, long threshold, Set<SafetyTarget> countedTargets) {

  public EscalationRule {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1, was " + threshold);
    }
    countedTargets = Set.copyOf(countedTargets);
  }

  public EscalationRule(Duration window, long threshold) {
    this(window, threshold, Set.of(SafetyTarget.PROMPT, SafetyTarget.RESPONSE));
  }

  public long windowStart(long eventTimeMs) {
    long size = window.toMillis();
    return Math.floorDiv(eventTimeMs, size) * size;
  }

  public long windowEnd(long eventTimeMs) {
    return windowStart(eventTimeMs) + window.toMillis();
  }

  /** Counts of the findings that count, by category (sorted). */
  public Map<String, Long> countsOf(List<Finding> findings) {
    Map<String, Long> counts = new TreeMap<>();
    for (Finding f : findings) {
      if (countedTargets.contains(f.target())) {
        counts.merge(f.category(), 1L, Long::sum);
      }
    }
    return counts;
  }

  /**
   * Records one completion's findings into the user's window for {@code eventTimeMs}.
   *
   * @param current the stored window for that user and window start, or null if none yet
   */
  public RiskTally.Update record(RiskTally current, long eventTimeMs, List<Finding> findings) {
    long start = windowStart(eventTimeMs);
    RiskTally w = current != null ? current : RiskTally.empty(start, start + window.toMillis());
    if (w.windowStartMs() != start) {
      throw new IllegalArgumentException("window " + w.windowStartMs() + " does not hold event time " + eventTimeMs);
    }
    return w.add(countsOf(findings), threshold);
  }
}
