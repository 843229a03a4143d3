package io.flywheel.safety.topology;

import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.EscalationRule;
import io.flywheel.model.EventTime;
import java.time.Duration;

/**
 * What the topology needs to know, as plain values (the Quarkus config maps onto it).
 *
 * @param applicationId           Streams application id; names the dead-letter topic
 * @param detectors               built-in detector settings (phone default region)
 * @param escalation              window and threshold of user escalations
 * @param riskRetention           how long after its end a user's window (and its escalation) is kept
 * @param verdictsPerConversation most recent verdicts kept per conversation
 * @param verdictRetention        how long (record time) a verdict is kept for the query API
 * @param maxFindings             findings listed per verdict; the rest are only counted
 * @param maxClockSkew            a completion dated further than this ahead of the wall clock is dead-lettered
 */
public record SafetySettings(String applicationId, DetectorSettings detectors, EscalationRule escalation,
                             Duration riskRetention, int verdictsPerConversation, Duration verdictRetention,
                             int maxFindings, Duration maxClockSkew) {

    public static final String DEFAULT_APPLICATION_ID = "safety-filter";

    public SafetySettings {
        requirePositive("risk retention", riskRetention);
        requirePositive("verdict retention", verdictRetention);
        if (verdictsPerConversation < 1) {
            throw new IllegalArgumentException("verdicts per conversation must be >= 1, was " + verdictsPerConversation);
        }
        if (maxFindings < 1) {
            throw new IllegalArgumentException("max findings must be >= 1, was " + maxFindings);
        }
        requirePositive("max clock skew", maxClockSkew);
    }

    public SafetySettings(String applicationId, DetectorSettings detectors, EscalationRule escalation,
                          Duration riskRetention, int verdictsPerConversation, Duration verdictRetention, int maxFindings) {
        this(applicationId, detectors, escalation, riskRetention, verdictsPerConversation, verdictRetention, maxFindings,
                EventTime.DEFAULT_MAX_SKEW);
    }

    public static SafetySettings defaults() {
        return new SafetySettings(DEFAULT_APPLICATION_ID, DetectorSettings.DEFAULTS,
                new EscalationRule(Duration.ofHours(1), 10), Duration.ofDays(7), 50, Duration.ofDays(7), 100);
    }

    private static void requirePositive(String what, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + value);
        }
    }
}
