package io.flywheel.model;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rule for every event time a client sets ({@code occurred_at}, {@code completion_created_at},
 * {@code created_at}): inside protobuf's Timestamp range, not before the Unix epoch (Kafka record
 * times cannot be negative), and not further ahead of the wall clock than the allowed skew, since
 * one record from a clock in 2100 would otherwise win every later vote, close every window and
 * park budgets in a future epoch.
 */
public final class EventTime {

    /** The default allowed skew of every service ({@code flywheel.*.max-clock-skew}). */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(5);

    private EventTime() {
    }

    /**
     * Why {@code time} breaks the rule, naming {@code field}; empty when it keeps it.
     *
     * @param wallClockMs the processing wall clock, in epoch milliseconds
     */
    public static Optional<String> violation(String field, Timestamp time, long wallClockMs, Duration maxSkew) {
        return violation("", field, time, wallClockMs, maxSkew);
    }

    /** The same, naming {@code path + name}; the name is built only for an answer. */
    static Optional<String> violation(String path, String name, Timestamp time, long wallClockMs, Duration maxSkew) {
        if (!Timestamps.isValid(time)) {
            return Optional.of(path + name + " (seconds=" + time.getSeconds() + ", nanos=" + time.getNanos()
                    + ") is outside protobuf Timestamp's range 0001-01-01 to 9999-12-31");
        }
        if (time.getSeconds() < 0) {
            return Optional.of(path + name + " " + Timestamps.toString(time) + " is before 1970-01-01T00:00:00Z");
        }
        long latestMs = saturatedAdd(wallClockMs, maxSkew.toMillis());
        if (Timestamps.toMillis(time) > latestMs) {
            return Optional.of(path + name + " " + Timestamps.toString(time) + " is more than " + maxSkew
                    + " ahead of the wall clock (" + Instant.ofEpochMilli(wallClockMs) + ")");
        }
        return Optional.empty();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
