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
     * first reading at {@code total}. A fresh JVM compiles its hot code while it drains (a large
     * service far longer than a small baseline), and less of that falls in the second half; it
     * does not all end there (see docs/benchmarks.md, "The JIT inside a drain").
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
        Span span = span(readings, total, Math.max(1, total / 2));
        return (span.last().cpuNanos() - span.first().cpuNanos()) / 1e3 / (total - span.first().committed());
    }

    private static double throughputFrom(List<Reading> readings, long total, long from) {
        Span span = span(readings, total, from);
        return (total - span.first().committed()) / ((span.last().atNanos() - span.first().atNanos()) / 1e9);
    }

    /** The measured part of a drain: the first reading at {@code from} or more committed, and the first at {@code total}. */
    private record Span(Reading first, Reading last) {
    }

    private static Span span(List<Reading> readings, long total, long from) {
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
                return new Span(first, reading);
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
