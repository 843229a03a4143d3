package io.flywheel.runtime.query;

import jakarta.enterprise.context.ApplicationScoped;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of this instance's store copies. A store that moved or is not ready answers UNAVAILABLE
 * with a retry hint, never an empty result.
 */
// IQv1 store handles, not IQv2 StateQueryRequests: in Kafka 4.1 an IQv2 query on a RocksDB store
// can deadlock with the stream thread's put (KAFKA-19629).
@ApplicationScoped
public class LocalStores {

    private final KafkaStreams streams;
    private final QueryConfig config;

    public LocalStores(KafkaStreams streams, QueryConfig config) {
        this.streams = streams;
        this.config = config;
    }

    /** The value of {@code key} in {@code store}, from the partition and role of {@code copy}. */
    public <K, V> Optional<V> get(LocalCopy copy, String store, K key) {
        ReadOnlyKeyValueStore<K, V> local = handle(store, copy.partition(), copy.active());
        try {
            return Optional.ofNullable(local.get(key));
        } catch (InvalidStateStoreException e) {
            throw moved(store, e);
        }
    }

    /** Entries of {@code store} in [from, to] (inclusive) from the partition and role of {@code copy}. */
    public <K, V> List<KeyValue<K, V>> range(LocalCopy copy, String store, K from, K to) {
        return read(handle(store, copy.partition(), copy.active()), store, from, to);
    }

    /** Every entry of a global store (each instance holds all of it). */
    public <K, V> List<KeyValue<K, V>> global(String store) {
        return read(this.<K, V>handle(store, null, true), store, null, null);
    }

    /**
     * True when this instance's active copy of the partition can answer now. Reads go only to a
     * task the stream thread runs; a task it is still restoring is also refused by the caller
     * ({@link RestoringPartitions}).
     */
    public boolean activeCanAnswer(String store, int partition) {
        try {
            this.<Object, Object>handle(store, partition, true).approximateNumEntries();
            return true;
        } catch (InvalidStateStoreException | StatusRuntimeException e) {
            return false;
        }
    }

    /**
     * The first {@code limit} entries of {@code store} in [from, to] that {@code keep} accepts, from
     * the partition and role of {@code copy}: a page's or a top-K's share without reading past it.
     */
    public <K, V> List<KeyValue<K, V>> first(LocalCopy copy, String store, K from, K to, int limit, Predicate<V> keep) {
        ReadOnlyKeyValueStore<K, V> local = handle(store, copy.partition(), copy.active());
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (KeyValueIterator<K, V> iterator = local.range(from, to)) {
            while (entries.size() < limit && iterator.hasNext()) {
                KeyValue<K, V> entry = iterator.next();
                if (keep.test(entry.value)) {
                    entries.add(entry);
                }
            }
        } catch (InvalidStateStoreException e) {
            throw moved(store, e);
        }
        return entries;
    }

    private <K, V> List<KeyValue<K, V>> read(ReadOnlyKeyValueStore<K, V> local, String store, K from, K to) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (KeyValueIterator<K, V> iterator = from == null && to == null ? local.all() : local.range(from, to)) {
            iterator.forEachRemaining(entries::add);
        } catch (InvalidStateStoreException e) {
            throw moved(store, e);
        }
        return entries;
    }

    private <K, V> ReadOnlyKeyValueStore<K, V> handle(String store, Integer partition, boolean activeOnly) {
        StoreQueryParameters<ReadOnlyKeyValueStore<K, V>> parameters =
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<K, V>keyValueStore());
        if (partition != null) {
            parameters = parameters.withPartition(partition);
        }
        if (!activeOnly) {
            parameters = parameters.enableStaleStores();
        }
        try {
            return streams.store(parameters);
        } catch (InvalidStateStoreException e) {
            throw QueryErrors.unavailable((partition == null ? store : "partition " + partition + " of " + store)
                    + " cannot answer here now: " + e.getMessage(), config.retryAfter());
        }
    }

    private StatusRuntimeException moved(String store, InvalidStateStoreException e) {
        return QueryErrors.unavailable(store + " moved while reading: " + e.getMessage(), config.retryAfter());
    }
}
