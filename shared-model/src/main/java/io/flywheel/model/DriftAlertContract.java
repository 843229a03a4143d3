package io.flywheel.model;

import io.flywheel.events.v1.DriftAlert;
import java.time.Duration;
import java.util.Optional;

/**
 * What a reader of {@code feedback.alerts} requires of an alert: a model name, names within their
 * caps, a known state, and an {@code emitted_at} that keeps the {@link EventTime} rule (alerts of
 * a key are ordered by it, so one from a clock in 2100 would pin the key's state for good). A
 * tombstone clears a model key's alert and needs a key that is one.
 */
public final class DriftAlertContract {

    private DriftAlertContract() {
    }

    /**
     * Why the alert breaks the contract, naming the field, or empty when it keeps it.
     *
     * @param wallClockMs the processing wall clock; {@code emitted_at} may lead it by {@code maxSkew} at most
     */
    public static Optional<String> violation(DriftAlert alert, long wallClockMs, Duration maxSkew) {
        return FieldRules.serializedSize("drift alert", alert.getSerializedSize())
                .or(() -> FieldRules.requiredName("model.name", alert.getModel().getName()))
                .or(() -> FieldRules.name("model.version", alert.getModel().getVersion()))
                .or(() -> FieldRules.name("prompt_version", alert.getPromptVersion()))
                .or(() -> alert.getState() == DriftAlert.State.FIRING || alert.getState() == DriftAlert.State.RECOVERED
                        ? Optional.empty() : Optional.of("state must be FIRING or RECOVERED, got " + alert.getStateValue()))
                .or(() -> EventTime.violation("emitted_at", alert.getEmittedAt(), wallClockMs, maxSkew));
    }

    /** Why a tombstone with this key breaks the contract: its key must be the model key whose alert it clears. */
    public static Optional<String> tombstoneViolation(String key) {
        try {
            AggregateKey.decode(key);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("key '" + FieldRules.abbreviate(key) + "' of a tombstone is not a model key (name/version/prompt)");
        }
    }
}
