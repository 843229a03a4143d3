package io.flywheel.sampler.sampling;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.AggregateKey;
import java.util.HashMap;
import java.util.Map;

/**
 * The drift state of every model key: the latest {@link DriftAlert} per key by
 * {@code emitted_at} wins, whatever the arrival order; FIRING turns the drift rate on, RECOVERED
 * (or a tombstone) turns it off again. Not thread-safe.
 */
public final class DriftAlertBoard implements DriftStatus {

    private final Map<AggregateKey, DriftAlert> latest = new HashMap<>();

    /** Applies one alert; returns whether it changed the board (an older alert does not). */
    public boolean apply(DriftAlert alert) {
        AggregateKey key = keyOf(alert);
        if (!supersedes(alert, latest.get(key))) {
            return false;
        }
        latest.put(key, alert);
        return true;
    }

    /** The rule: an alert replaces the current one of its key unless it was emitted earlier. */
    public static boolean supersedes(DriftAlert incoming, DriftAlert current) {
        return current == null || Timestamps.compare(incoming.getEmittedAt(), current.getEmittedAt()) >= 0;
    }

    /** A tombstone on the compacted topic: the key is no longer under alert. */
    public void remove(AggregateKey modelKey) {
        latest.remove(modelKey.modelKey());
    }

    @Override
    public boolean isFiring(AggregateKey modelKey) {
        DriftAlert alert = latest.get(modelKey.modelKey());
        return alert != null && alert.getState() == DriftAlert.State.FIRING;
    }

    public static AggregateKey keyOf(DriftAlert alert) {
        return AggregateKey.allTime(alert.getModel().getName(), alert.getModel().getVersion(), alert.getPromptVersion());
    }
}
