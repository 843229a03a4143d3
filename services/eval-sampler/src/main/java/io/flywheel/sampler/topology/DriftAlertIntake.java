package io.flywheel.sampler.topology;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.DriftAlertContract;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.RecordKey;
import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.flywheel.runtime.streams.RegistryRetries;
import io.flywheel.sampler.sampling.DriftAlertBoard;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The global processor of {@code feedback.alerts}: keeps the latest alert per model key (by
 * {@code emitted_at}, {@link DriftAlertBoard#supersedes}) in this instance's global store, which
 * the sampling tasks read as their {@code DriftStatus}. It decodes the bytes itself and never
 * throws: an exception on the global thread would stop the whole client. A record it cannot
 * decode or that breaks {@link DriftAlertContract} (or the key rule) is logged and counted, and
 * the key keeps its previous state; the service's intake check dead-letters the same records.
 *
 * <p>A record the registry cannot serve yet (unreachable) is <em>pending</em>: its bytes are kept
 * ({@link SkippedAlerts}), the key keeps its previous state, and {@link RegistryRetries} tries
 * again off the global thread, applying what it reads oldest first; a later record of the same
 * key replaces a pending one. Nothing waits on the global thread. The one exception to "never
 * throws" is a registry that refuses this service's credentials or TLS: that is a setting to fix,
 * not a record to skip, so the client stops with a message naming the settings.
 */
final class DriftAlertIntake implements Processor<byte[], byte[], Void, Void>, RegistryRetries.Pending {

    private static final Logger LOG = Logger.getLogger(DriftAlertIntake.class);

    private final Deserializer<DriftAlert> deserializer;
    private final Duration maxClockSkew;
    private final SkippedAlerts unapplied;
    private final RegistryRetries retries;
    private final SamplerMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, DriftAlert> alerts;

    DriftAlertIntake(Deserializer<DriftAlert> deserializer, Duration maxClockSkew, SkippedAlerts unapplied,
                     RegistryRetries retries, SamplerMetrics metrics) {
        this.deserializer = deserializer;
        this.maxClockSkew = maxClockSkew;
        this.unapplied = unapplied;
        this.retries = retries;
        this.metrics = metrics;
    }

    @Override
    public synchronized void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.alerts = context.getStateStore(SamplerStores.DRIFT_ALERTS_STORE);
        retries.attach(this);
        if (unapplied.pendingCount() > 0) {
            retries.retryLater();
        }
    }

    @Override
    public void close() {
        retries.detach(this);
    }

    @Override
    public synchronized void process(Record<byte[], byte[]> record) {
        String where = context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
        try {
            apply(record, where);
        } catch (RegistryAccessException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            skip(where, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void apply(Record<byte[], byte[]> record, String where) {
        RecordKey readKey = RecordKey.read(record.key());
        if (readKey instanceof RecordKey.Invalid invalid) {
            skip(where, invalid.reason());
            return;
        }
        String recordKey = ((RecordKey.Valid) readKey).key();
        if (record.value() == null) {
            Optional<String> violation = DriftAlertContract.tombstoneViolation(recordKey);
            if (violation.isPresent()) {
                skip(where, violation.get());
                return;
            }
            // A tombstone on the compacted topic: the model key is no longer under alert.
            unapplied.replace(recordKey);
            String modelKey = AggregateKey.decode(recordKey).modelKey().encode();
            alerts.delete(modelKey);
            metrics.driftAlert(modelKey, false);
            return;
        }
        Read read = read(record.value(), record.headers());
        if (read.registryFailure() != null) {
            unapplied.keep(new SkippedAlerts.PendingAlert(recordKey, record.value(),
                    new RecordHeaders(record.headers().toArray()), where, read.registryFailure()));
            retries.retryLater();
            LOG.warnf("drift alert at %s waits for the schema registry (%d pending); the key keeps its previous state: %s",
                    where, unapplied.pendingCount(), read.registryFailure());
            return;
        }
        unapplied.replace(recordKey);
        applyRead(read, where);
    }

    @Override
    public boolean retryPending() {
        for (SkippedAlerts.PendingAlert pending : unapplied.pending()) {
            Read read;
            try {
                read = read(pending.value(), pending.headers());
            } catch (RegistryAccessException e) {
                LOG.error(e.getMessage(), e);
                read = new Read(null, null, e.getMessage());
            }
            String where = pending.where();
            synchronized (this) {
                if (!unapplied.isPending(pending)) {
                    continue; // a later record of this key has replaced it meanwhile
                }
                if (read.registryFailure() != null) {
                    unapplied.stillWaiting(pending, read.registryFailure());
                    LOG.warnf("schema registry still unavailable; %d drift alert(s) wait: %s", unapplied.pendingCount(),
                            read.registryFailure());
                    return true;
                }
                unapplied.remove(pending);
                try {
                    applyRead(read, where);
                } catch (RuntimeException e) {
                    skip(where, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                LOG.infof("drift alert at %s read after waiting for the schema registry (%d still pending)", where,
                        unapplied.pendingCount());
            }
        }
        return unapplied.pendingCount() > 0;
    }

    /** What a record says: an alert, a reason to skip it, or (both null) the registry failure it waits on. */
    private record Read(DriftAlert alert, String skipReason, String registryFailure) {
    }

    /** One decoding attempt; never waits. Refused credentials or TLS are thrown. */
    private Read read(byte[] value, Headers headers) {
        try {
            DriftAlert alert = deserializer.deserialize(Topics.FEEDBACK_ALERTS.name(), headers, value);
            return alert == null ? new Read(null, "value decoded to nothing", null) : new Read(alert, null, null);
        } catch (RuntimeException | StackOverflowError e) {
            if (RegistryAccessException.isCauseOf(e)) {
                throw new RegistryAccessException("the schema registry refused this service's credentials or TLS while reading "
                        + Topics.FEEDBACK_ALERTS.name() + ": check flywheel.registry.url and flywheel.registry.serde.*", e);
            }
            if (RegistryUnavailableException.isTransient(e)) {
                return new Read(null, null, "schema registry unavailable: " + e.getMessage());
            }
            return new Read(null, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    private void applyRead(Read read, String where) {
        if (read.skipReason() != null) {
            skip(where, read.skipReason());
            return;
        }
        DriftAlert alert = read.alert();
        Optional<String> violation = DriftAlertContract.violation(alert, context.currentSystemTimeMs(), maxClockSkew);
        if (violation.isPresent()) {
            skip(where, violation.get());
            return;
        }
        String key = DriftAlertBoard.keyOf(alert).encode();
        if (DriftAlertBoard.supersedes(alert, alerts.get(key))) {
            alerts.put(key, alert);
            metrics.driftAlert(key, alert.getState() == DriftAlert.State.FIRING);
        }
    }

    private void skip(String where, String why) {
        unapplied.counter().incrementAndGet();
        LOG.errorf("skipped a feedback.alerts record at %s: %s", where, why);
    }
}
