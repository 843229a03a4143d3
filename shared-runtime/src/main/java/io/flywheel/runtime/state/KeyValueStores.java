package io.flywheel.runtime.state;

import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one way the services declare their key-value stores. A store is RocksDB, unless the Streams
 * setting {@code dsl.store.suppliers.class} names Kafka's in-memory suppliers: then it is in memory
 * (still backed by its changelog). The processor-API stores thus follow the same setting as the
 * DSL's, and topology tests run every store in memory (the test driver flushes every store after
 * every record, which costs a RocksDB flush each).
 */
public final class KeyValueStores {

    private KeyValueStores() {
    }

    /** A changelogged key-value store of the instance's configured kind; the caller decides on the record cache. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> keyValue(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(supplier(name), keySerde, valueSerde);
    }

    /** The bytes store behind {@link #keyValue}: RocksDB or in memory, chosen when the store is opened. */
    public static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new ConfiguredStore(name);
            }

            @Override
            public String metricsScope() {
                return "rocksdb"; // the metric names of the default kind stay as they were
            }
        };
    }

    /** True when the Streams settings ask for in-memory stores. */
    static boolean inMemory(Object dslStoreSuppliers) {
        String named = dslStoreSuppliers instanceof Class<?> type ? type.getName() : String.valueOf(dslStoreSuppliers);
        return BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName().equals(named);
    }

    /** Opens its inner store on init, when the Streams settings are known; delegates everything else to it. */
    private static final class ConfiguredStore implements KeyValueStore<Bytes, byte[]> {
        private final String name;
        private KeyValueStore<Bytes, byte[]> inner;

        private ConfiguredStore(String name) {
            this.name = name;
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            inner = inMemory(context.appConfigs().get(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG))
                    ? Stores.inMemoryKeyValueStore(name).get()
                    : Stores.persistentKeyValueStore(name).get();
            inner.init(context, root);
        }

        private KeyValueStore<Bytes, byte[]> inner() {
            if (inner == null) {
                throw new IllegalStateException("store " + name + " is not open");
            }
            return inner;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean persistent() {
            // Asked before init too (state-directory locking): RocksDB is the default.
            return inner == null || inner.persistent();
        }

        @Override
        public boolean isOpen() {
            return inner != null && inner.isOpen();
        }

        @Override
        public void flush() {
            inner().flush();
        }

        @Override
        public void close() {
            if (inner != null) {
                inner.close();
            }
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
            return inner().query(query, positionBound, config);
        }

        @Override
        public Position getPosition() {
            return inner().getPosition();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            inner().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return inner().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            inner().putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return inner().delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return inner().get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return inner().range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return inner().reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return inner().all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return inner().reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
            return inner().prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return inner().approximateNumEntries();
        }
    }
}
