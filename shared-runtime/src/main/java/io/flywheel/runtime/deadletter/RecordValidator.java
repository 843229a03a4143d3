package io.flywheel.runtime.deadletter;

import java.util.Optional;

/** Checks a decoded record before it enters a topology; a rejected record is dead-lettered. */
@FunctionalInterface
public interface RecordValidator<V> {

    /**
     * @param key          the record's UTF-8 key, never null or blank
     * @param value        the decoded value, never null
     * @param wallClockMs  the task's wall-clock time (mockable in TopologyTestDriver)
     * @return why the record is rejected, or empty when it is valid
     */
    Optional<String> rejectReason(String key, V value, long wallClockMs);

    static <V> RecordValidator<V> acceptAll() {
        return (key, value, wallClockMs) -> Optional.empty();
    }
}
