package io.flywheel.model;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a record of {@code safety.policies} must be before any service tries to compile it: keyed
 * by a policy id (an empty value id takes the key, any other must equal it), within the input
 * size cap, and, when enabled, with a category, a known action and target and a detector. A
 * tombstone needs only a key that is a policy id; {@code {id, enabled: false}} needs nothing else.
 * Whether a detector compiles (RE2 syntax, cost limits, builtin names) is the compiler's refusal,
 * not part of this contract.
 */
public final class SafetyPolicyContract {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern CATEGORY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private SafetyPolicyContract() {
    }

    /**
     * Why the record breaks the contract, naming the field, or empty when it keeps it.
     *
     * @param key          the record key
     * @param policyOrNull the record value, null for a tombstone
     */
    public static Optional<String> violation(String key, SafetyPolicy policyOrNull) {
        if (policyOrNull == null) {
            return idViolation(key);
        }
        SafetyPolicy policy = policyOrNull;
        return FieldRules.serializedSize("safety policy", policy.getSerializedSize())
                .or(() -> policy.getId().isEmpty() || policy.getId().equals(key) ? Optional.empty()
                        : Optional.of("record key '" + FieldRules.abbreviate(key) + "' and policy id '"
                                + FieldRules.abbreviate(policy.getId()) + "' differ"))
                .or(() -> idViolation(key))
                .or(() -> policy.getEnabled() ? definitionViolation(policy) : Optional.empty());
    }

    public static Optional<String> idViolation(String id) {
        return ID.matcher(id).matches() ? Optional.empty()
                : Optional.of("id must be 1-128 chars of [A-Za-z0-9._:-], was '" + FieldRules.abbreviate(id) + "'");
    }

    /** What an enabled policy needs beyond its id: a category, a known action and target, a detector. */
    public static Optional<String> definitionViolation(SafetyPolicy policy) {
        if (!CATEGORY.matcher(policy.getCategory()).matches()) {
            return Optional.of("category must be 1-64 chars of [A-Za-z0-9_.-], was '"
                    + FieldRules.abbreviate(policy.getCategory()) + "'");
        }
        if (policy.getAction() == SafetyAction.SAFETY_ACTION_UNSPECIFIED || policy.getAction() == SafetyAction.UNRECOGNIZED) {
            return Optional.of("action missing (FLAG, REDACT or BLOCK)");
        }
        if (policy.getTarget() == SafetyTarget.SAFETY_TARGET_UNSPECIFIED || policy.getTarget() == SafetyTarget.UNRECOGNIZED) {
            return Optional.of("target missing (PROMPT, RESPONSE or BOTH)");
        }
        if (policy.getDetectorCase() == SafetyPolicy.DetectorCase.DETECTOR_NOT_SET) {
            return Optional.of("no detector (builtin, keywords or regex)");
        }
        return Optional.empty();
    }
}
