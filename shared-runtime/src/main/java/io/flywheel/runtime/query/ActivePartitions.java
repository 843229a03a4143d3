package io.flywheel.runtime.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;

/**
 * This instance's share of a fan-out over one store: the active partitions that can answer now
 * (not restoring), read one by one, so the share says exactly which partitions it covers.
 */
public final class ActivePartitions {

    private final LocalStores stores;
    private final String store;
    private final SortedSet<Integer> partitions;

    public ActivePartitions(LocalStores stores, String store, Set<Integer> partitions) {
        this.stores = stores;
        this.store = store;
        this.partitions = Collections.unmodifiableSortedSet(new TreeSet<>(partitions));
    }

    /** Entries in [from, to] (null bounds are open) of every partition of the share, unordered across partitions. */
    public <K, V> List<KeyValue<K, V>> range(K from, K to) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        for (int partition : partitions) {
            entries.addAll(stores.<K, V>range(LocalCopy.active(store, partition), store, from, to));
        }
        return entries;
    }

    /**
     * Of each partition of the share, the first {@code limit} entries in [from, to] that
     * {@code keep} accepts (unordered across partitions): reads stop there.
     */
    public <K, V> List<KeyValue<K, V>> first(K from, K to, int limit, Predicate<V> keep) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        for (int partition : partitions) {
            entries.addAll(stores.<K, V>first(LocalCopy.active(store, partition), store, from, to, limit, keep));
        }
        return entries;
    }

    public SortedSet<Integer> partitions() {
        return partitions;
    }
}
