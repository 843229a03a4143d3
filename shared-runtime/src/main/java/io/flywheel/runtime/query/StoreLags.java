package io.flywheel.runtime.query;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * How far behind its changelog each local store copy is, refreshed on a schedule: asking the
 * broker per query would make every standby read a round trip.
 */
@ApplicationScoped
public class StoreLags {

    private static final Logger LOG = Logger.getLogger(StoreLags.class);

    private final Supplier<Map<String, Map<Integer, Long>>> source;
    private final long refreshMs;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "flywheel-store-lags");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Map<String, Map<Integer, Long>> lags = Map.of();

    @Inject
    public StoreLags(KafkaStreams streams, QueryConfig config) {
        this(() -> offsetLags(streams), config.lagRefreshInterval().toMillis());
    }

    /** @param source every local store partition's lag in records; null when it cannot be asked now */
    public StoreLags(Supplier<Map<String, Map<Integer, Long>>> source, long refreshMs) {
        this.source = source;
        this.refreshMs = Math.max(100, refreshMs);
    }

    void start(@Observes StartupEvent event) {
        refresher.scheduleWithFixedDelay(this::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        refresher.shutdownNow();
    }

    /** Records this instance's copy of the store partition is behind; empty when it holds none. */
    public OptionalLong lagOf(String store, int partition) {
        Long lag = lags.getOrDefault(store, Map.of()).get(partition);
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    /** Takes a fresh reading; keeps the last one when the source cannot answer. */
    public void refresh() {
        try {
            Map<String, Map<Integer, Long>> fresh = source.get();
            if (fresh != null) {
                lags = Map.copyOf(fresh);
            }
        } catch (RuntimeException e) {
            LOG.debugf("could not refresh store lags: %s", e.getMessage());
        }
    }

    private static Map<String, Map<Integer, Long>> offsetLags(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return null;
        }
        Map<String, Map<Integer, Long>> offsetLags = new HashMap<>();
        streams.allLocalStorePartitionLags().forEach((store, partitions) -> {
            Map<Integer, Long> byPartition = new HashMap<>();
            partitions.forEach((partition, lag) -> byPartition.put(partition, lag.offsetLag()));
            offsetLags.put(store, Map.copyOf(byPartition));
        });
        return offsetLags;
    }
}
