package io.flywheel.tools;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.flywheel.events.v1.SafetyPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What applying a policy pack would change on {@code safety.policies}: policies added, changed
 * (with the fields that differ), unchanged, and on the topic but not in the pack (removed only
 * with {@code --prune}). Compared by id, the record key.
 *
 * @param changed policy id to the names of the fields that differ ("unreadable" when the topic's
 *                record could not be decoded)
 */
record PolicyDiff(List<String> added, Map<String, List<String>> changed, List<String> unchanged, List<String> removed) {

    /**
     * @param current the topic's latest record per id: a policy, or empty when it could not be read
     * @param wanted  the pack's policies, in file order
     */
    static PolicyDiff between(Map<String, Optional<SafetyPolicy>> current, List<SafetyPolicy> wanted) {
        List<String> added = new ArrayList<>();
        Map<String, List<String>> changed = new LinkedHashMap<>();
        List<String> unchanged = new ArrayList<>();
        Map<String, Boolean> inPack = new TreeMap<>();
        for (SafetyPolicy policy : wanted) {
            String id = policy.getId();
            inPack.put(id, true);
            Optional<SafetyPolicy> existing = current.get(id);
            if (existing == null) {
                added.add(id);
            } else if (existing.isEmpty()) {
                changed.put(id, List.of("unreadable"));
            } else if (existing.get().equals(policy)) {
                unchanged.add(id);
            } else {
                changed.put(id, differingFields(existing.get(), policy));
            }
        }
        List<String> removed = new ArrayList<>(new TreeMap<>(current).keySet());
        removed.removeIf(inPack::containsKey);
        return new PolicyDiff(added, changed, unchanged, removed);
    }

    boolean isEmpty(boolean prune) {
        return added.isEmpty() && changed.isEmpty() && (!prune || removed.isEmpty());
    }

    private static List<String> differingFields(SafetyPolicy before, SafetyPolicy after) {
        List<String> fields = new ArrayList<>();
        for (FieldDescriptor field : SafetyPolicy.getDescriptor().getFields()) {
            if (!before.getField(field).equals(after.getField(field))) {
                fields.add(field.getName());
            }
        }
        if (fields.isEmpty()) {
            fields.add("unknown fields");
        }
        return fields;
    }
}
