package io.flywheel.runtime.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A label whose values come from data (a model name, a policy category): the first {@code limit}
 * distinct values are kept as they are, every later one is reported as {@value #OTHER}, so a
 * stream of new values can never grow the number of series without bound.
 */
public final class CappedLabel {

    public static final String OTHER = "other";

    private final int limit;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    public CappedLabel(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a label needs room for at least one value, got " + limit);
        }
        this.limit = limit;
    }

    /** The value to put on a series: {@code value} itself while there is room, else {@value #OTHER}. */
    public String of(String value) {
        String label = value == null || value.isBlank() ? "none" : value;
        if (seen.contains(label)) {
            return label;
        }
        synchronized (seen) {
            if (seen.size() < limit) {
                seen.add(label);
                return label;
            }
        }
        return OTHER;
    }
}
