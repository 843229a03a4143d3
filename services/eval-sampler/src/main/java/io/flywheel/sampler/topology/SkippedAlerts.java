package io.flywheel.sampler.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;

/**
 * What the {@code feedback.alerts} intake has not applied: records it skipped for good (unreadable,
 * counted) and records that wait for the schema registry (pending, kept as bytes and retried).
 * One per topology, so the pending records survive the switch from the processor instance that
 * restores the global store to the one that runs live.
 */
public final class SkippedAlerts {

    /** A record the registry could not serve yet, as read; {@code where} is its topic-partition@offset. */
    record PendingAlert(String recordKey, byte[] value, Headers headers, String where, String reason) {
    }

    private final AtomicLong count = new AtomicLong();
    /** By record key, oldest first: a later record of a key replaces (and requeues) the earlier one. */
    private final Map<String, PendingAlert> pending = new LinkedHashMap<>();

    public long count() {
        return count.get();
    }

    /** How many records wait for the schema registry. */
    public synchronized int pendingCount() {
        return pending.size();
    }

    AtomicLong counter() {
        return count;
    }

    synchronized void keep(PendingAlert alert) {
        pending.remove(alert.recordKey());
        pending.put(alert.recordKey(), alert);
    }

    /** Records why {@code alert} still waits, keeping its place in the queue. */
    synchronized void stillWaiting(PendingAlert alert, String reason) {
        pending.replace(alert.recordKey(), alert,
                new PendingAlert(alert.recordKey(), alert.value(), alert.headers(), alert.where(), reason));
    }

    /** Forgets the pending record of {@code recordKey}, if any: a later record of that key replaces it. */
    synchronized void replace(String recordKey) {
        pending.remove(recordKey);
    }

    /** Forgets {@code alert} once read, unless a later record of its key has replaced it meanwhile. */
    synchronized boolean remove(PendingAlert alert) {
        return pending.remove(alert.recordKey(), alert);
    }

    synchronized boolean isPending(PendingAlert alert) {
        return pending.get(alert.recordKey()) == alert;
    }

    /** The pending records, oldest first. */
    synchronized List<PendingAlert> pending() {
        return new ArrayList<>(pending.values());
    }
}
