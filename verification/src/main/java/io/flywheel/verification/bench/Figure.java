package io.flywheel.verification.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One measured figure of a benchmark run, as written to {@code docs/benchmarks.json}.
 *
 * @param name     what was measured, e.g. {@code feedback-aggregator.drain.throughput}
 * @param value    the median (or the single reading) of the figure
 * @param unit     e.g. {@code records/s}, {@code ms}, {@code MB}
 * @param baseline the name of the figure measured in the same run that this one is read against, or null
 * @param ratio    value / the baseline's value, or null without a baseline
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Figure(String name, double value, String unit, String baseline, Double ratio) {

    public static Figure of(String name, double value, String unit) {
        return new Figure(name, value, unit, null, null);
    }

    /** This figure read against {@code baseline}, measured in the same run. */
    public Figure against(Figure baseline) {
        return new Figure(name, value, unit, baseline.name(), baseline.value() == 0 ? null : value / baseline.value());
    }
}
