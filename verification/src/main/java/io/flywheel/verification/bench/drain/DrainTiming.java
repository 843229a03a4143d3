package io.flywheel.verification.bench.drain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The arithmetic of one drain: from polled readings of a group's committed input offsets, the
 * records per second between the first commit and the commit that reaches the end, and the same over
 * the drain's second half. The JVM's start, the group's join and the first commit interval are
 * outside the measured span: the records the first commit already covers are not counted.
 */
public final class DrainTiming {

    /**
     * One reading: when, how many input records the group had committed then (summed over
     * partitions), and the CPU time the contestant's process had used by then.
     */
    public record Reading(long atNanos, long committed, long cpuNanos) {

        public Reading(long atNanos, long committed) {
            this(atNanos, committed, 0);
        }
    }

    private DrainTiming() {
    }

    /**
     * @param readings the readings in time order
     * @param total    the input records to drain (the sum of the end offsets)
     * @return records/s from the first reading with a commit to the first reading at {@code total}
     */
    public static double throughput(List<Reading> readings, long total) {
        return throughputFrom(readings, total, 1);
    }

    /**
     * The second half of a drain: records/s from the first reading at half the input or more to the
     * first reading at {@code total}. A JVM still compiling its hot code at the start (a large
     * service more than a small baseline) weighs on the whole drain; by the second half it runs
     * what a long-lived instance runs.
     */
    public static double secondHalfThroughput(List<Reading> readings, long total) {
        return throughputFrom(readings, total, Math.max(1, total / 2));
    }

    /**
     * The contestant process's CPU time per record over the drain's second half, in microseconds:
     * what a record costs the process (stream threads, clients, garbage collection, compilation),
     * steadier on a shared machine than records/s.
     */
    public static double secondHalfCpuMicrosPerRecord(List<Reading> readings, long total) {
        Reading[] span = span(readings, total, Math.max(1, total / 2));
        return (span[1].cpuNanos() - span[0].cpuNanos()) / 1e3 / (total - span[0].committed());
    }

    private static double throughputFrom(List<Reading> readings, long total, long from) {
        Reading[] span = span(readings, total, from);
        return (total - span[0].committed()) / ((span[1].atNanos() - span[0].atNanos()) / 1e9);
    }

    /** The first reading at {@code from} or more committed, and the first at {@code total}. */
    private static Reading[] span(List<Reading> readings, long total, long from) {
        Reading first = null;
        for (Reading reading : readings) {
            if (first == null && reading.committed() >= from) {
                first = reading;
            }
            if (reading.committed() >= total) {
                if (first == null || first.committed() >= total || reading.atNanos() <= first.atNanos()) {
                    throw new IllegalStateException("one commit covered records " + from + " to all " + total
                            + ": too few events to measure a drain (raise --drain-events)");
                }
                return new Reading[] {first, reading};
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
