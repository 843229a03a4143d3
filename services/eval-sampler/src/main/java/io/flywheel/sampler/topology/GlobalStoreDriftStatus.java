package io.flywheel.sampler.topology;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.AggregateKey;
import io.flywheel.sampler.sampling.DriftStatus;
import org.apache.kafka.streams.state.KeyValueStore;

/** The drift status of this instance: the latest alert per model key in the global store. */
final class GlobalStoreDriftStatus implements DriftStatus {

    private final KeyValueStore<String, DriftAlert> alerts;

    GlobalStoreDriftStatus(KeyValueStore<String, DriftAlert> alerts) {
        this.alerts = alerts;
    }

    @Override
    public boolean isFiring(AggregateKey modelKey) {
        DriftAlert alert = alerts.get(modelKey.modelKey().encode());
        return alert != null && alert.getState() == DriftAlert.State.FIRING;
    }
}
