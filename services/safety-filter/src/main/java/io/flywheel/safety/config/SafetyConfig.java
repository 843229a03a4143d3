package io.flywheel.safety.config;

import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.EscalationRule;
import io.flywheel.safety.topology.SafetySettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The safety-filter's settings; every key is listed with its default in the README. */
@ConfigMapping(prefix = "flywheel.safety")
public interface SafetyConfig {

    Phone phone();

    Escalation escalation();

    Verdicts verdicts();

    /** Findings listed per verdict; further ones are only counted (dropped_findings). */
    @WithDefault("100")
    int maxFindings();

    /** A completion whose created_at is further than this ahead of the wall clock is dead-lettered. */
    @WithDefault("5m")
    Duration maxClockSkew();

    interface Phone {
        /** CLDR region for phone numbers written without a country code (e.g. US, GB, DE). */
        @WithDefault("US")
        String defaultRegion();

        /** Candidates libphonenumber examines per text before it stops looking. */
        @WithDefault("10000")
        long maxTries();
    }

    interface Escalation {
        /** Findings of one user within one window that escalate the user (once per window). */
        @WithDefault("10")
        long threshold();

        /** Width of the tumbling windows (aligned to the epoch, by completion time). */
        @WithDefault("1h")
        Duration window();

        /** How long after its end a window and its escalation stay queryable. */
        @WithDefault("7d")
        Duration retention();
    }

    interface Verdicts {
        /** Most recent verdicts kept per conversation for GetConversationVerdicts. */
        @WithDefault("50")
        int perConversation();

        /** How long (by completion record time) a verdict stays queryable. */
        @WithDefault("7d")
        Duration retention();
    }

    /** The intake check that dead-letters bad safety.policies records (off: they are only skipped). */
    IntakeCheckConfig intakeCheck();

    interface IntakeCheckConfig {
        @WithDefault("true")
        boolean enabled();
    }

    default SafetySettings toSettings(String applicationId) {
        return new SafetySettings(applicationId,
                new DetectorSettings(phone().defaultRegion(), phone().maxTries()),
                new EscalationRule(escalation().window(), escalation().threshold()),
                escalation().retention(), verdicts().perConversation(), verdicts().retention(), maxFindings(),
                maxClockSkew());
    }
}
