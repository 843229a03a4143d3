package io.flywheel.sampler.sampling;

import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The active sampling policy: strata and their rates and budgets, the budget calendar, the boost
 * window and the rates of the special reasons. Immutable; validated on construction. The service
 * builds it from its configuration ({@code SamplerConfig}, keys and defaults in the module README).
 * A stratum takes the terms of its exact key, else of its model alone, else the default.
 */
public record SamplingPolicy(
        String salt,
        boolean stratifyByLocale,
        EpochClock clock,
        Duration boostWindow,
        Duration boostGrace,
        StratumQuota defaultStratum,
        SortedMap<StratumKey, StratumQuota> strata,
        double safetyRate,
        double driftRate,
        double negativeFeedbackRate,
        double budgetTarget,
        int forecastEpochs,
        double burstAllowance) {

    public SamplingPolicy {
        Objects.requireNonNull(salt, "salt");
        if (salt.isEmpty() || salt.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("salt must be non-empty and must not contain U+0000");
        }
        Objects.requireNonNull(clock, "clock");
        requireNonNegative(boostWindow, "boost-window");
        requireNonNegative(boostGrace, "boost-grace");
        Objects.requireNonNull(defaultStratum, "defaultStratum");
        strata = Collections.unmodifiableSortedMap(new TreeMap<>(strata));
        ApplicableRates.checkRate(safetyRate);
        ApplicableRates.checkRate(driftRate);
        ApplicableRates.checkRate(negativeFeedbackRate);
        if (!(budgetTarget > 0.0 && budgetTarget <= 1.0)) {
            throw new IllegalArgumentException("budget-target must be in (0, 1], got " + budgetTarget);
        }
        if (forecastEpochs < 1) {
            throw new IllegalArgumentException("forecast-epochs must be at least 1, got " + forecastEpochs);
        }
        if (!(burstAllowance >= 1.0)) {
            throw new IllegalArgumentException("burst-allowance must be at least 1, got " + burstAllowance);
        }
    }

    /** The stratum of a completion by its model name and locale. */
    public StratumKey stratumOf(String modelName, String locale) {
        return stratifyByLocale ? StratumKey.of(modelName, locale) : StratumKey.ofModel(modelName);
    }

    /** The terms of a stratum: its own entry, else its model's, else the default. */
    public StratumQuota termsOf(StratumKey stratum) {
        StratumQuota exact = strata.get(stratum);
        if (exact != null) {
            return exact;
        }
        return strata.getOrDefault(stratum.modelOnly(), defaultStratum);
    }

    /** Parses a budget per period: a whole number ≥ 0, or {@code none} (or empty) for no budget. */
    public static OptionalLong parseBudget(String value, String key) {
        String text = value.trim();
        if (text.isEmpty() || text.equalsIgnoreCase("none")) {
            return OptionalLong.empty();
        }
        try {
            long budget = Long.parseLong(text);
            if (budget < 0) {
                throw new IllegalArgumentException(key + " cannot be negative, got " + budget);
            }
            return OptionalLong.of(budget);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number or 'none', got '" + text + "'", e);
        }
    }

    private static void requireNonNegative(Duration duration, String key) {
        Objects.requireNonNull(duration, key);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(key + " cannot be negative: " + duration);
        }
    }
}
