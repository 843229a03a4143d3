package io.flywheel.runtime.query;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What routing needs to know about the instances of the application: which one holds a key and
 * which ones exist. A seam over {@code KafkaStreams} so routing decisions test with plain inputs.
 */
public interface StreamsPlacement {

    /** This instance's {@code application.server}. */
    HostInfo self();

    /** True while the local stores can answer (RUNNING). */
    boolean queryable();

    /** The Streams client's state, for messages. */
    String state();

    /** The partition of {@code store} holding {@code key}, its active instance and standbys; empty while nobody owns it. */
    Optional<KeyQueryMetadata> placementOf(String store, String key);

    /** Every instance of the application, this one included. */
    List<HostInfo> instances();

    /** How many partitions {@code store} has (one task each); empty before the first assignment. */
    OptionalInt partitionCount(String store);

    /**
     * The partitions of {@code store} (of {@code partitions}) whose active copy on this instance
     * can answer now: running here, not restoring.
     */
    Set<Integer> queryablePartitions(String store, int partitions);

    /** Fails with UNAVAILABLE (and a retry hint) unless the stores can answer now. */
    default void requireQueryable(Duration retryAfter) {
        if (!queryable()) {
            throw QueryErrors.unavailable("state stores are not queryable while Kafka Streams is " + state()
                    + " (starting or rebalancing)", retryAfter);
        }
    }

    /** {@code host:port} of an instance, as answers name it. */
    static String name(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
