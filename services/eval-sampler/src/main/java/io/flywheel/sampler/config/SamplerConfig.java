package io.flywheel.sampler.config;

import io.flywheel.model.Topics;
import io.flywheel.sampler.sampling.EpochClock;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.sampling.StratumQuota;
import io.flywheel.sampler.topology.SamplerSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/** The eval-sampler's settings; every key is listed with its default in the module README. */
@ConfigMapping(prefix = "flywheel.sampler")
public interface SamplerConfig {

    /**
     * Salt of the conversation draw u = hash(salt, conversation_id). Whoever knows it can tell which
     * conversations get sampled: it is never logged (the query API shows a fingerprint).
     */
    String salt();

    /** Strata are (model) or, when true, (model, locale). */
    @WithDefault("false")
    boolean stratifyByLocale();

    /** Budget period. */
    @WithDefault("1h")
    Duration period();

    /** Rate-setting epoch (event time); must divide the period. */
    @WithDefault("5m")
    Duration epoch();

    /** An input whose created_at or occurred_at is further than this ahead of the wall clock is dead-lettered. */
    @WithDefault("5m")
    Duration maxClockSkew();

    /** Negative feedback this long after its completion was created pulls the completion in. */
    @WithDefault("30m")
    Duration boostWindow();

    /** Extra time a completion, or feedback that came first, waits for its partner. */
    @WithDefault("1m")
    Duration boostGrace();

    /** Terms of every stratum without its own entry under {@code strata}. */
    @WithName("default")
    Terms defaultTerms();

    /** Per-stratum terms by stratum text ({@code model} or {@code model/locale}, URL-encoded parts). */
    Map<String, StratumTerms> strata();

    /** Rate of flagged or redacted completions. */
    @WithDefault("1.0")
    double safetyRate();

    /** Rate of completions of a model key under an active drift alert. */
    @WithDefault("0.25")
    double driftRate();

    /** Rate of completions with negative feedback inside the boost window. */
    @WithDefault("1.0")
    double negativeFeedbackRate();

    /** Share of each budget the pacer aims at (headroom for binomial swings). */
    @WithDefault("0.95")
    double budgetTarget();

    /** Completed epochs averaged to forecast a stratum's traffic. */
    @WithDefault("2")
    int forecastEpochs();

    /** One epoch may spend at most this many times its even share of what is left of the budget. */
    @WithDefault("2.0")
    double burstAllowance();

    /** Partitions of the input topics (each task holds budget ÷ partitions); the catalogue's count by default. */
    Optional<Integer> partitions();

    interface Terms {
        /** Baseline rate, in [0, 1]. */
        @WithDefault("0.01")
        double baseRate();

        /** Baseline draws per period for the whole stratum (all tasks), or {@code none}. */
        @WithDefault("none")
        String budgetPerPeriod();
    }

    interface StratumTerms {
        /** Baseline rate; the default's when unset. */
        OptionalDouble baseRate();

        /** Budget per period or {@code none}; the default's when unset. */
        Optional<String> budgetPerPeriod();
    }

    default SamplingPolicy toPolicy() {
        StratumQuota defaults = new StratumQuota(defaultTerms().baseRate(),
                SamplingPolicy.parseBudget(defaultTerms().budgetPerPeriod(), "flywheel.sampler.default.budget-per-period"));
        SortedMap<StratumKey, StratumQuota> strata = new TreeMap<>();
        strata().forEach((text, terms) -> {
            StratumKey stratum;
            try {
                stratum = StratumKey.decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("flywheel.sampler.strata.\"" + text + "\": " + e.getMessage(), e);
            }
            String key = "flywheel.sampler.strata.\"" + text + "\"";
            try {
                strata.put(stratum, new StratumQuota(terms.baseRate().orElse(defaults.baseRate()),
                        terms.budgetPerPeriod().map(budget -> SamplingPolicy.parseBudget(budget, key + ".budget-per-period"))
                                .orElse(defaults.budgetPerPeriod())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        });
        return new SamplingPolicy(salt(), stratifyByLocale(), new EpochClock(period(), epoch()), boostWindow(), boostGrace(),
                defaults, strata, safetyRate(), driftRate(), negativeFeedbackRate(), budgetTarget(), forecastEpochs(),
                burstAllowance());
    }

    /** The intake check that dead-letters bad feedback.alerts records (off: they are only skipped). */
    IntakeCheckConfig intakeCheck();

    interface IntakeCheckConfig {
        @WithDefault("true")
        boolean enabled();
    }

    default SamplerSettings toSettings(String applicationId) {
        return new SamplerSettings(applicationId, toPolicy(), partitions().orElse(Topics.CONVERSATION_PARTITIONS),
                maxClockSkew());
    }
}
