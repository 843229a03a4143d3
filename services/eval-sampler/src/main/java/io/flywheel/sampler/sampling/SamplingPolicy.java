package io.flywheel.sampler.sampling;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The active sampling policy: strata and their rates and budgets, the budget calendar, the boost
 * window and the rates of the special reasons. Immutable; validated on construction.
 *
 * <p>Config keys read by {@link #fromProperties(Map)} (relative to the service's prefix,
 * {@code flywheel.sampler.}), with their defaults:
 * <pre>
 * salt                                  (required) the draw's salt; never logged, see ConversationDraw
 * stratify-by-locale                    false   strata are (model) or (model, locale)
 * period                                PT1H    budget period (ISO-8601 or 30s / 5m / 1h / 1d)
 * epoch                                 PT5M    rate-setting epoch; divides the period
 * boost-window                          PT30M   negative feedback this long after a completion boosts it
 * boost-grace                           PT1M    extra time a completion or feedback waits for its partner
 * default.base-rate                     0.01    baseline rate of a stratum without its own entry
 * default.budget-per-period             none    budget of such a stratum (whole stratum, all tasks)
 * strata."&lt;stratum&gt;".base-rate          default.base-rate
 * strata."&lt;stratum&gt;".budget-per-period  default.budget-per-period ("none": no budget)
 * safety-rate                           1.0     rate of flagged or redacted completions
 * drift-rate                            0.25    rate of a model under an active drift alert
 * negative-feedback-rate                1.0     rate of a completion with negative feedback in the window
 * budget-target                         0.95    share of the budget the pacer aims at (binomial headroom)
 * forecast-epochs                       2       completed epochs averaged to forecast traffic
 * burst-allowance                       2.0     an epoch may spend this many times its even share
 * </pre>
 * A {@code <stratum>} is a {@link StratumKey} text: {@code model} or {@code model/locale}. A
 * stratum takes the entry of its exact key, else of its model alone, else the default.
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

    private static final Pattern STRATUM_KEY = Pattern.compile("strata\\.(\"?)(.+)\\1\\.(base-rate|budget-per-period)");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Set<String> SCALAR_KEYS = Set.of("salt", "stratify-by-locale", "period", "epoch",
            "boost-window", "boost-grace", "default.base-rate", "default.budget-per-period", "safety-rate",
            "drift-rate", "negative-feedback-rate", "budget-target", "forecast-epochs", "burst-allowance");

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

    /** Parses the config keys listed on this class; unknown keys are an error (typos must not pass). */
    public static SamplingPolicy fromProperties(Map<String, String> properties) {
        Map<String, String> scalars = new HashMap<>();
        Map<StratumKey, Map<String, String>> perStratum = new TreeMap<>();
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            String key = entry.getKey().trim();
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            Matcher stratum = STRATUM_KEY.matcher(key);
            if (stratum.matches()) {
                perStratum.computeIfAbsent(StratumKey.decode(stratum.group(2)), k -> new HashMap<>())
                        .put(stratum.group(3), value);
            } else if (SCALAR_KEYS.contains(key)) {
                scalars.put(key, value);
            } else {
                throw new IllegalArgumentException("unknown sampling policy key '" + key + "'");
            }
        }
        String salt = scalars.get("salt");
        if (salt == null || salt.isEmpty()) {
            throw new IllegalArgumentException("salt is required");
        }
        double defaultRate = rate(scalars, "default.base-rate", 0.01);
        OptionalLong defaultBudget = budget(scalars.getOrDefault("default.budget-per-period", "none"), "default.budget-per-period");
        StratumQuota defaults = new StratumQuota(defaultRate, defaultBudget);
        SortedMap<StratumKey, StratumQuota> strata = new TreeMap<>();
        perStratum.forEach((stratum, values) -> strata.put(stratum, new StratumQuota(
                values.containsKey("base-rate") ? rate(values, "base-rate", defaultRate) : defaultRate,
                values.containsKey("budget-per-period")
                        ? budget(values.get("budget-per-period"), "strata." + stratum + ".budget-per-period")
                        : defaultBudget)));
        return new SamplingPolicy(
                salt,
                Boolean.parseBoolean(scalars.getOrDefault("stratify-by-locale", "false")),
                new EpochClock(duration(scalars, "period", "PT1H"), duration(scalars, "epoch", "PT5M")),
                duration(scalars, "boost-window", "PT30M"),
                duration(scalars, "boost-grace", "PT1M"),
                defaults,
                strata,
                rate(scalars, "safety-rate", 1.0),
                rate(scalars, "drift-rate", 0.25),
                rate(scalars, "negative-feedback-rate", 1.0),
                number(scalars, "budget-target", 0.95),
                (int) number(scalars, "forecast-epochs", 2),
                number(scalars, "burst-allowance", 2.0));
    }

    /** Parses an ISO-8601 duration ({@code PT5M}) or a short one ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}). */
    public static Duration parseDuration(String text) {
        Matcher shortForm = SHORT_DURATION.matcher(text.trim());
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            return switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (want e.g. PT5M or 5m)", e);
        }
    }

    private static Duration duration(Map<String, String> values, String key, String fallback) {
        try {
            return parseDuration(values.getOrDefault(key, fallback));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static double rate(Map<String, String> values, String key, double fallback) {
        double rate = number(values, key, fallback);
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(key + " must be a rate in [0, 1], got " + values.get(key));
        }
        return rate;
    }

    private static double number(Map<String, String> values, String key, double fallback) {
        String text = values.get(key);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + text + "'", e);
        }
    }

    /** Parses a budget per period: a whole number ≥ 0, or {@code none} (or empty) for no budget. */
    public static OptionalLong parseBudget(String text, String key) {
        return budget(text.trim(), key);
    }

    private static OptionalLong budget(String text, String key) {
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
