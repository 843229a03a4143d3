package io.flywheel.runtime.query;

import io.flywheel.query.v1.ResponseMetadata;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;

/** Reads the local copy of the partition a point query was routed to, and this store's co-partitioned siblings. */
public final class PartitionReader {

    private final LocalStores stores;
    private final LocalCopy copy;
    private final String self;

    public PartitionReader(LocalStores stores, LocalCopy copy, String self) {
        this.stores = stores;
        this.copy = copy;
        this.self = self;
    }

    public <K, V> Optional<V> get(K key) {
        return stores.get(copy, copy.store(), key);
    }

    /** Reads another store of the same task (co-partitioned with the routed one). */
    public <K, V> Optional<V> get(String otherStore, K key) {
        return stores.get(copy, otherStore, key);
    }

    /** Range over the same partition of a store (inclusive bounds). */
    public <K, V> List<KeyValue<K, V>> range(String otherStore, K from, K to) {
        return stores.range(copy, otherStore, from, to);
    }

    public ResponseMetadata metadata() {
        return copy.metadata(self);
    }
}
