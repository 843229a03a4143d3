package io.flywheel.model;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import java.util.Optional;

/**
 * What a reader of {@code feedback.alerts} requires of an alert: a model name, names within their
 * caps, a known state, and a valid {@code emitted_at} (alerts of a key are ordered by it).
 */
public final class DriftAlertContract {

    private DriftAlertContract() {
    }

    /** Why the alert breaks the contract, naming the field, or empty when it keeps it. */
    public static Optional<String> violation(DriftAlert alert) {
        return FieldRules.serializedSize("drift alert", alert.getSerializedSize())
                .or(() -> FieldRules.requiredName("model.name", alert.getModel().getName()))
                .or(() -> FieldRules.name("model.version", alert.getModel().getVersion()))
                .or(() -> FieldRules.name("prompt_version", alert.getPromptVersion()))
                .or(() -> alert.getState() == DriftAlert.State.FIRING || alert.getState() == DriftAlert.State.RECOVERED
                        ? Optional.empty() : Optional.of("state must be FIRING or RECOVERED, got " + alert.getStateValue()))
                .or(() -> Timestamps.isValid(alert.getEmittedAt()) ? Optional.empty()
                        : Optional.of("emitted_at (seconds=" + alert.getEmittedAt().getSeconds()
                                + ") is outside protobuf Timestamp's range"));
    }
}
