package io.flywheel.runtime.deadletter;

import java.util.Optional;
import java.util.function.Function;

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

    /**
     * Why a tombstone (a record without value) with this key is rejected. Event topics take none;
     * a compacted topic whose tombstones mean something accepts them ({@link #withTombstones}).
     */
    default Optional<String> tombstoneRejectReason(String key) {
        return Optional.of("record has no value: events cannot be tombstones");
    }

    static <V> RecordValidator<V> acceptAll() {
        return (key, value, wallClockMs) -> Optional.empty();
    }

    /** {@code values} for records with a value; {@code tombstones} says why a tombstone's key is refused. */
    static <V> RecordValidator<V> withTombstones(RecordValidator<V> values, Function<String, Optional<String>> tombstones) {
        return new RecordValidator<>() {
            @Override
            public Optional<String> rejectReason(String key, V value, long wallClockMs) {
                return values.rejectReason(key, value, wallClockMs);
            }

            @Override
            public Optional<String> tombstoneRejectReason(String key) {
                return tombstones.apply(key);
            }
        };
    }
}
