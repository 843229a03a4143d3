package io.flywheel.model;

import java.util.Map;
import java.util.Optional;

/**
 * The field checks the contracts are made of; each answer names the field. The {@code (path,
 * field)} forms name {@code path + field} and build that name only for an answer, since the checks
 * run for every record.
 */
final class FieldRules {

    private FieldRules() {
    }

    /** Present, not blank, within the id cap, no control characters (ids end up inside store keys). */
    static Optional<String> requiredId(String field, String value) {
        return requiredId("", field, value);
    }

    static Optional<String> optionalId(String field, String value) {
        return optionalId("", field, value);
    }

    static Optional<String> requiredId(String path, String field, String value) {
        if (value.isBlank()) {
            return Optional.of(path + field + " is empty");
        }
        return optionalId(path, field, value);
    }

    static Optional<String> optionalId(String path, String field, String value) {
        Optional<String> tooLong = capped(path, field, value, RecordLimits.MAX_ID_CHARS);
        if (tooLong.isPresent()) {
            return tooLong;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return Optional.of(path + field + " contains control characters");
            }
        }
        return Optional.empty();
    }

    static Optional<String> requiredName(String path, String field, String value) {
        return value.isBlank() ? Optional.of(path + field + " is empty") : capped(path, field, value, RecordLimits.MAX_NAME_CHARS);
    }

    static Optional<String> name(String path, String field, String value) {
        return capped(path, field, value, RecordLimits.MAX_NAME_CHARS);
    }

    static Optional<String> capped(String path, String field, String value, int maxChars) {
        return value.length() > maxChars
                ? Optional.of(path + field + " is " + value.length() + " chars, above the cap of " + maxChars)
                : Optional.empty();
    }

    static Optional<String> requiredName(String field, String value) {
        return requiredName("", field, value);
    }

    static Optional<String> name(String field, String value) {
        return name("", field, value);
    }

    static Optional<String> capped(String field, String value, int maxChars) {
        return capped("", field, value, maxChars);
    }

    static Optional<String> attributes(String field, Map<String, String> attributes) {
        return attributes("", field, attributes);
    }

    static Optional<String> attributes(String path, String name, Map<String, String> attributes) {
        if (attributes.isEmpty()) {
            return Optional.empty();
        }
        String field = path + name;
        if (attributes.size() > RecordLimits.MAX_ATTRIBUTES) {
            return Optional.of(field + " has " + attributes.size() + " entries, above the cap of " + RecordLimits.MAX_ATTRIBUTES);
        }
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            Optional<String> violation = name(field + " key", attribute.getKey())
                    .or(() -> capped(field + "['" + attribute.getKey() + "']", attribute.getValue(),
                            RecordLimits.MAX_ATTRIBUTE_VALUE_CHARS));
            if (violation.isPresent()) {
                return violation;
            }
        }
        return Optional.empty();
    }

    static Optional<String> serializedSize(String what, int bytes) {
        return bytes > RecordLimits.MAX_INPUT_BYTES
                ? Optional.of(what + " is " + bytes + " bytes serialized, above the cap of " + RecordLimits.MAX_INPUT_BYTES)
                : Optional.empty();
    }

    static Optional<String> key(String key, String field, String value) {
        return key.equals(value) ? Optional.empty()
                : Optional.of("record key '" + abbreviate(key) + "' is not the " + field + " '" + abbreviate(value) + "'");
    }

    /** Reasons quote values; a hostile value must not make the reason itself huge. */
    static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "…(" + value.length() + " chars)";
    }
}
