package io.flywheel.safety.rules;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One user's finding counts in one tumbling window {@code [windowStartMs, windowEndMs)}, and
 * whether the user was escalated in it. Immutable; {@link #add} returns the next state.
 */
public record RiskTally(long windowStartMs, long windowEndMs, SortedMap<String, Long> findingsByCategory,
    long findingCount, boolean escalated) {

  public RiskTally {
    findingsByCategory = Collections.unmodifiableSortedMap(new TreeMap<>(findingsByCategory));
  }

  public static RiskTally empty(long windowStartMs, long windowEndMs) {
    return new RiskTally(windowStartMs, windowEndMs, new TreeMap<>(), 0, false);
  }

  /** The next state, and whether this update is the one that crosses the threshold. */
  public record Update(RiskTally window, boolean escalateNow) {}

  /**
   * Adds counts by category. Escalates exactly once per window: on the update that takes the
   * total from below {@code threshold} to at least {@code threshold}; never again in this window.
   */
  public Update add(Map<String, Long> countsByCategory, long threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1, was " + threshold);
    }
    TreeMap<String, Long> next = new TreeMap<>(findingsByCategory);
    long added = 0;
    for (Map.Entry<String, Long> e : countsByCategory.entrySet()) {
      if (e.getValue() > 0) {
        next.merge(e.getKey(), e.getValue(), Long::sum);
        added += e.getValue();
      }
    }
    long total = findingCount + added;
    boolean escalateNow = !escalated && total >= threshold;
    return new Update(new RiskTally(windowStartMs, windowEndMs, next, total, escalated || escalateNow), escalateNow);
  }
}
