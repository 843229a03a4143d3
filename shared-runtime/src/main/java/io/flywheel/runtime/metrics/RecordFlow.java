package io.flywheel.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.kstream.ForeachAction;

/**
 * Records into, out of and dead-lettered by a topology, per topic (and per reason class for dead
 * letters). Counted as processed: a task that aborts its transaction and reprocesses counts again,
 * like Kafka Streams' own process counters.
 *
 * <ul>
 *   <li>{@code flywheel_records_in_total{topic}}: raw records read from a source topic</li>
 *   <li>{@code flywheel_records_out_total{topic}}: records written to an output topic</li>
 *   <li>{@code flywheel_records_dead_lettered_total{topic,reason}}: records of a source topic sent to the DLQ</li>
 * </ul>
 */
public final class RecordFlow {

    /** Why a record was dead-lettered, as a bounded label. */
    public enum Reason {
        MISSING_KEY, INVALID_KEY, MISSING_VALUE, UNDECODABLE, INVALID_EVENT, PROCESSING_FAILED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Map<String, Reason> BY_ERROR_CLASS = Map.of(
            "MissingKey", Reason.MISSING_KEY,
            "InvalidKey", Reason.INVALID_KEY,
            "MissingValue", Reason.MISSING_VALUE,
            "InvalidEvent", Reason.INVALID_EVENT);

    private final MeterRegistry registry;
    /** Counted once per record: looked up once per topic, not built and registered per record. */
    private final Map<String, Counter> inByTopic = new ConcurrentHashMap<>();
    private final Map<String, Counter> outByTopic = new ConcurrentHashMap<>();

    public RecordFlow(MeterRegistry registry) {
        this.registry = registry;
    }

    public void in(String topic) {
        inByTopic.computeIfAbsent(topic, t -> counter("flywheel.records.in", "raw records read from a source topic", t)).increment();
    }

    public void out(String topic) {
        outByTopic.computeIfAbsent(topic, t -> counter("flywheel.records.out", "records written to an output topic", t)).increment();
    }

    /** For a stream about to be written to {@code topic}: {@code stream.peek(flow.countsOut(topic), ...)}. */
    public <K, V> ForeachAction<K, V> countsOut(String topic) {
        return (key, value) -> out(topic);
    }

    public void deadLettered(String topic, Reason reason) {
        Counter.builder("flywheel.records.dead.lettered")
                .description("records of a source topic sent to the dead-letter topic, by reason class")
                .tag("topic", topic).tag("reason", reason.label())
                .register(registry).increment();
    }

    /**
     * The reason class of a dead letter's {@code flywheel.dlq.error.class} header at the decode
     * step: the decode step's own classes, or an exception class name, which means the bytes did
     * not decode.
     */
    public static Reason reasonOf(String errorClass) {
        return BY_ERROR_CLASS.getOrDefault(errorClass, Reason.UNDECODABLE);
    }

    private Counter counter(String name, String description, String topic) {
        return Counter.builder(name).description(description).tag("topic", topic).register(registry);
    }
}
