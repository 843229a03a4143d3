package io.flywheel.sampler.sampling;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * The rates that apply to one completion, at most one per {@link SampleReason}. BASELINE always
 * applies (the stratum's current rate, possibly 0); the others apply only when their condition
 * holds (flagged or redacted, model under an active drift alert, negative feedback in the boost
 * window). Immutable.
 */
public final class ApplicableRates {

    private static final SampleReason[] REASONS = SampleReason.values();

    /** Indexed by {@link SampleReason#ordinal()}; NaN where the reason does not apply. */
    private final double[] rates;

    private ApplicableRates(double[] rates) {
        this.rates = rates;
    }

    public static ApplicableRates baseline(double rate) {
        double[] rates = new double[REASONS.length];
        Arrays.fill(rates, Double.NaN);
        rates[SampleReason.BASELINE.ordinal()] = checkRate(rate);
        return new ApplicableRates(rates);
    }

    /** These rates plus {@code reason} at {@code rate} (replacing any earlier rate for it). */
    public ApplicableRates with(SampleReason reason, double rate) {
        double[] copy = rates.clone();
        copy[reason.ordinal()] = checkRate(rate);
        return new ApplicableRates(copy);
    }

    /** These rates without {@code reason}; BASELINE cannot be removed. */
    public ApplicableRates without(SampleReason reason) {
        if (reason == SampleReason.BASELINE) {
            throw new IllegalArgumentException("BASELINE always applies");
        }
        double[] copy = rates.clone();
        copy[reason.ordinal()] = Double.NaN;
        return new ApplicableRates(copy);
    }

    public OptionalDouble rate(SampleReason reason) {
        double rate = rates[reason.ordinal()];
        return Double.isNaN(rate) ? OptionalDouble.empty() : OptionalDouble.of(rate);
    }

    public double baselineRate() {
        return rates[SampleReason.BASELINE.ordinal()];
    }

    /** The reason with the highest rate; ties go to the reason declared first in {@link SampleReason}. */
    public SampleReason leadingReason() {
        SampleReason best = SampleReason.BASELINE;
        double bestRate = baselineRate();
        for (SampleReason reason : REASONS) {
            double rate = rates[reason.ordinal()];
            if (!Double.isNaN(rate) && (rate > bestRate || (rate == bestRate && reason.ordinal() < best.ordinal()))) {
                best = reason;
                bestRate = rate;
            }
        }
        return best;
    }

    /** The highest applicable rate: the completion's inclusion probability. */
    public double highestRate() {
        return rates[leadingReason().ordinal()];
    }

    static double checkRate(double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("a rate must be in [0, 1], got " + rate);
        }
        return rate;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApplicableRates other && Arrays.equals(rates, other.rates);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rates);
    }

    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ", "ApplicableRates[", "]");
        for (SampleReason reason : REASONS) {
            rate(reason).ifPresent(rate -> joiner.add(reason + "=" + rate));
        }
        return joiner.toString();
    }
}
