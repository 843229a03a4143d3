package io.flywheel.runtime.streams;

import io.flywheel.model.TopicSpec;
import io.flywheel.runtime.deadletter.DeadLetters;
import io.flywheel.runtime.deadletter.RecordValidator;
import io.flywheel.runtime.metrics.RecordFlow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.jboss.logging.Logger;

/**
 * A second, small Kafka Streams client of a service that reads a topic the service keeps in a
 * global store and dead-letters its bad records. The global processor only skips them: every
 * instance reads the whole topic, so a DLQ write there would repeat per instance and restart.
 * This client is one consumer group under exactly-once, so each bad record reaches the service's
 * DLQ once. It writes nothing else (the global store applies the valid records) and keeps no state.
 *
 * <p>It takes the service's Streams settings (broker, security, exactly-once, static membership)
 * with its own application id ({@code <service id>-<name>}), one thread, no standby, no
 * application server, and its state directory under the service's.
 */
public final class IntakeCheck {

    private static final Logger LOG = Logger.getLogger(IntakeCheck.class);

    private final String applicationId;
    private final boolean enabled;
    private final Topology topology;
    private final Properties settings;
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private KafkaStreams streams;

    private IntakeCheck(String applicationId, boolean enabled, Topology topology, Properties settings) {
        this.applicationId = applicationId;
        this.enabled = enabled;
        this.topology = topology;
        this.settings = settings;
    }

    /**
     * An intake check of {@code source} for the service whose Streams settings are {@code service}.
     *
     * @param name      what it checks, e.g. {@code policy-intake}: the suffix of its application id
     *                  and the name of its state directory
     * @param enabled   false: the check never starts (bad records are then only skipped)
     * @param validator the contract the service's global processor skips by
     * @param deadLetters the service's DLQ ({@code Topics.deadLetter} of its application id)
     * @param flow      the service's record counters (records in and dead-lettered, by topic)
     */
    public static <V> IntakeCheck of(String name, boolean enabled, StreamsConfig service, TopicSpec<V> source,
                                     Deserializer<V> deserializer, RecordValidator<V> validator,
                                     TopicSpec<byte[]> deadLetters, RecordFlow flow) {
        String serviceId = service.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        String applicationId = applicationId(serviceId, name);
        Properties settings = new Properties();
        settings.putAll(service.originals());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        settings.put(StreamsConfig.STATE_DIR_CONFIG,
                Path.of(service.getString(StreamsConfig.STATE_DIR_CONFIG)).resolve(name).toString());
        settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        settings.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        settings.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
        return new IntakeCheck(applicationId, enabled,
                topology(applicationId, source, deserializer, validator, deadLetters, flow), settings);
    }

    /** The application id of a service's intake check: {@code <service id>-<name>}. */
    public static String applicationId(String serviceApplicationId, String name) {
        return serviceApplicationId + "-" + name;
    }

    /** Every record of {@code source} through the decode step; the rejected ones to the service's DLQ, nothing else. */
    public static <V> Topology topology(String applicationId, TopicSpec<V> source, Deserializer<V> deserializer,
                                        RecordValidator<V> validator, TopicSpec<byte[]> deadLetters, RecordFlow flow) {
        StreamsBuilder builder = new StreamsBuilder();
        DeadLetters.check(builder, applicationId, source, deserializer, validator, deadLetters, flow);
        return builder.build();
    }

    public String applicationId() {
        return applicationId;
    }

    public Topology topology() {
        return topology;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts the client (once; nothing when disabled). */
    public synchronized void start() {
        if (!enabled || streams != null) {
            return;
        }
        streams = new KafkaStreams(topology, settings);
        streams.setUncaughtExceptionHandler(new RetryTransientFailures());
        streams.setStateListener((newState, oldState) -> {
            state.set(newState);
            LOG.infof("intake check %s: %s -> %s", applicationId, oldState, newState);
        });
        streams.start();
    }

    public KafkaStreams.State state() {
        return state.get();
    }

    /** The client is dead or dying: bad records of its topic are only skipped until a restart. */
    public boolean failed() {
        KafkaStreams.State current = state.get();
        return current == KafkaStreams.State.ERROR || current == KafkaStreams.State.PENDING_ERROR;
    }

    /**
     * Closes the client within {@code timeout}, keeping its static membership; a zero timeout only
     * begins the close (a second call waits for it).
     *
     * @return true when the client is closed (or never ran)
     */
    public boolean close(Duration timeout) {
        KafkaStreams running;
        synchronized (this) {
            running = streams;
        }
        return running == null || running.close(new KafkaStreams.CloseOptions().timeout(timeout).leaveGroup(false));
    }

    Map<Object, Object> settings() {
        return Map.copyOf(settings);
    }
}
