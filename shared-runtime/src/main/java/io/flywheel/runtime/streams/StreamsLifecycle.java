package io.flywheel.runtime.streams;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Tracks the Streams client's state for health and queries. Quarkus registers this bean as the
 * client's state listener.
 */
@ApplicationScoped
public class StreamsLifecycle implements KafkaStreams.StateListener {

    private static final Logger LOG = Logger.getLogger(StreamsLifecycle.class);

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private final AtomicBoolean reachedRunning = new AtomicBoolean(false);
    private final List<Runnable> onFirstRunning = new ArrayList<>();

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        state.set(newState);
        LOG.infof("Kafka Streams %s -> %s", oldState, newState);
        if (newState == KafkaStreams.State.RUNNING && !reachedRunning.get()) {
            List<Runnable> actions;
            synchronized (onFirstRunning) {
                reachedRunning.set(true);
                actions = List.copyOf(onFirstRunning);
                onFirstRunning.clear();
            }
            actions.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} once RUNNING is first reached (at once if it already was), on the thread that sees it. */
    public void whenRunning(Runnable action) {
        synchronized (onFirstRunning) {
            if (!reachedRunning.get()) {
                onFirstRunning.add(action);
                return;
            }
        }
        action.run();
    }

    public KafkaStreams.State state() {
        return state.get();
    }

    /** RUNNING has been reached at least once since start. */
    public boolean hasReachedRunning() {
        return reachedRunning.get();
    }

    /** The client is dead or dying: only a restart helps. */
    public boolean isFailed() {
        KafkaStreams.State current = state.get();
        return current == KafkaStreams.State.ERROR || current == KafkaStreams.State.PENDING_ERROR;
    }

    /** Stores answer only while RUNNING; during start-up or a rebalance callers get UNAVAILABLE. */
    public boolean isQueryable() {
        KafkaStreams.State current = state.get();
        return current == KafkaStreams.State.RUNNING;
    }
}
