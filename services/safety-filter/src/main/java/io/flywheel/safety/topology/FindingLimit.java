package io.flywheel.safety.topology;

import io.flywheel.safety.rules.Finding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Caps the findings listed in one verdict, so no verdict (or screened completion carrying it)
 * can outgrow a Kafka message. The kept findings are the strongest — action, then severity,
 * then original order — so the decision is always explained; they stay in their original order.
 */
final class FindingLimit {

    private FindingLimit() {
    }

    static List<Finding> strongest(List<Finding> findings, int max) {
        if (findings.size() <= max) {
            return findings;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < findings.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingInt(i -> findings.get(i).action().getNumber()).reversed()
                .thenComparing(Comparator.<Integer>comparingInt(i -> findings.get(i).severity()).reversed())
                .thenComparingInt(i -> i));
        List<Integer> kept = new ArrayList<>(order.subList(0, max));
        kept.sort(Comparator.naturalOrder());
        List<Finding> out = new ArrayList<>(max);
        for (int i : kept) {
            out.add(findings.get(i));
        }
        return out;
    }
}
