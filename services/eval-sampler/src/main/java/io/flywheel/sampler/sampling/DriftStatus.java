package io.flywheel.sampler.sampling;

import io.flywheel.model.AggregateKey;

/**
 * Whether a model key (model name, model version, prompt version; see {@link AggregateKey}) is
 * under an active drift alert. In the service: the latest {@code DriftAlert} per key from the
 * compacted {@code feedback.alerts}; {@link DriftAlertBoard} is the rule.
 */
@FunctionalInterface
public interface DriftStatus {

    DriftStatus NONE = key -> false;

    boolean isFiring(AggregateKey modelKey);
}
