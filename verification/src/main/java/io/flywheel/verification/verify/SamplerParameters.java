package io.flywheel.verification.verify;

import java.time.Duration;

/**
 * The settings the mesh runs with that decide its outputs, as documented: the sampler's salt and
 * base rate (no budget, so the rate is the base rate), its safety and negative-feedback rates and
 * boost window, and the aggregator's cohort bucket width.
 */
public record SamplerParameters(String salt, double baseRate, double safetyRate, double negativeFeedbackRate,
                                Duration boostWindow, Duration bucketWidth) {

    public static SamplerParameters forRun(String salt) {
        return new SamplerParameters(salt, 0.01, 1.0, 1.0, Duration.ofMinutes(30), Duration.ofMinutes(5));
    }
}
