package io.flywheel.sampler.topology;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.DriftAlertContract;
import io.flywheel.runtime.deadletter.RecordKey;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.flywheel.sampler.sampling.DriftAlertBoard;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The global processor of {@code feedback.alerts}: keeps the latest alert per model key (by
 * {@code emitted_at}, {@link DriftAlertBoard#supersedes}) in this instance's global store, which
 * the sampling tasks read as their {@code DriftStatus}. It decodes the bytes itself and never
 * throws: an exception on the global thread would stop the whole client. A record it cannot
 * decode or that breaks {@link DriftAlertContract} (or the key rule) is logged and counted, and
 * the key keeps its previous state; the service's intake check dead-letters the same records. A
 * registry outage is retried for a while first, since the alert would otherwise be missed until
 * the next restart.
 */
final class DriftAlertIntake implements Processor<byte[], byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(DriftAlertIntake.class);
    static final int REGISTRY_ATTEMPTS = 10;
    private static final long REGISTRY_BACKOFF_MS = 1_000;

    private final Deserializer<DriftAlert> deserializer;
    private final Duration maxClockSkew;
    private final AtomicLong skipped;
    private final SamplerMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, DriftAlert> alerts;

    DriftAlertIntake(Deserializer<DriftAlert> deserializer, Duration maxClockSkew, AtomicLong skipped, SamplerMetrics metrics) {
        this.deserializer = deserializer;
        this.maxClockSkew = maxClockSkew;
        this.skipped = skipped;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.alerts = context.getStateStore(SamplerStores.DRIFT_ALERTS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            apply(record);
        } catch (RuntimeException | StackOverflowError e) {
            skip(record, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void apply(Record<byte[], byte[]> record) {
        RecordKey recordKey = RecordKey.read(record.key());
        if (recordKey instanceof RecordKey.Invalid invalid) {
            skip(record, invalid.reason());
            return;
        }
        String text = ((RecordKey.Valid) recordKey).key();
        if (record.value() == null) {
            Optional<String> violation = DriftAlertContract.tombstoneViolation(text);
            if (violation.isPresent()) {
                skip(record, violation.get());
                return;
            }
            // A tombstone on the compacted topic: the model key is no longer under alert.
            String modelKey = AggregateKey.decode(text).modelKey().encode();
            alerts.delete(modelKey);
            metrics.driftAlert(modelKey, false);
            return;
        }
        DriftAlert alert = decode(record);
        if (alert == null) {
            return;
        }
        Optional<String> violation = DriftAlertContract.violation(alert, context.currentSystemTimeMs(), maxClockSkew);
        if (violation.isPresent()) {
            skip(record, violation.get());
            return;
        }
        String key = DriftAlertBoard.keyOf(alert).encode();
        if (DriftAlertBoard.supersedes(alert, alerts.get(key))) {
            alerts.put(key, alert);
            metrics.driftAlert(key, alert.getState() == DriftAlert.State.FIRING);
        }
    }

    private DriftAlert decode(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("feedback.alerts");
        for (int attempt = 1; ; attempt++) {
            try {
                DriftAlert alert = deserializer.deserialize(topic, record.headers(), record.value());
                if (alert == null) {
                    skip(record, "value decoded to nothing");
                }
                return alert;
            } catch (RuntimeException e) {
                if (!RegistryUnavailableException.isTransient(e) || attempt >= REGISTRY_ATTEMPTS) {
                    skip(record, e.getClass().getSimpleName() + ": " + e.getMessage());
                    return null;
                }
                LOG.warnf("schema registry unavailable while decoding a drift alert (attempt %d of %d): %s",
                        attempt, REGISTRY_ATTEMPTS, e.getMessage());
                try {
                    Thread.sleep(REGISTRY_BACKOFF_MS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    skip(record, "interrupted while waiting for the registry");
                    return null;
                }
            }
        }
    }

    private void skip(Record<byte[], byte[]> record, String why) {
        skipped.incrementAndGet();
        LOG.errorf("skipped a feedback.alerts record at %s: %s", context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?"), why);
    }
}
