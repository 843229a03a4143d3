package io.flywheel.verification.bench.drain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The arithmetic of one drain: from polled readings of a group's committed input offsets, the
 * records per second between the first commit and the commit that reaches the end. The JVM's start,
 * the group's join and the first commit interval are outside the measured span: the records the
 * first commit already covers are not counted.
 */
public final class DrainTiming {

    /** One reading: when, and how many input records the group had committed then (summed over partitions). */
    public record Reading(long atNanos, long committed) {
    }

    private DrainTiming() {
    }

    /**
     * @param readings the readings in time order
     * @param total    the input records to drain (the sum of the end offsets)
     * @return records/s from the first reading with a commit to the first reading at {@code total}
     */
    public static double throughput(List<Reading> readings, long total) {
        Reading first = null;
        for (Reading reading : readings) {
            if (first == null && reading.committed() > 0) {
                first = reading;
            }
            if (reading.committed() >= total) {
                if (first == null || first.committed() >= total || reading.atNanos() <= first.atNanos()) {
                    throw new IllegalStateException("the first commit already covered all " + total
                            + " records: too few events to measure a drain (raise --drain-events)");
                }
                return (total - first.committed()) / ((reading.atNanos() - first.atNanos()) / 1e9);
            }
        }
        throw new IllegalStateException("the readings never reach " + total + " committed records");
    }

    /** The median of the rounds' figures (the mean of the middle two for an even count). */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
