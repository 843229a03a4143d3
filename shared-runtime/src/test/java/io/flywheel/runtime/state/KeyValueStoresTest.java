package io.flywheel.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueStoresTest {

    @TempDir
    Path stateDir;

    @Test
    void storesAreRocksDbByDefault() {
        try (TopologyTestDriver driver = driver(null)) {
            KeyValueStore<String, String> store = driver.getKeyValueStore("counts");
            writeAndRead(driver, store);
            assertTrue(store.persistent(), "RocksDB unless the settings say otherwise");
        }
    }

    @Test
    void storesAreInMemoryWhenTheStreamsSettingSaysSo() {
        try (TopologyTestDriver driver = driver(BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class)) {
            KeyValueStore<String, String> store = driver.getKeyValueStore("counts");
            writeAndRead(driver, store);
            assertFalse(store.persistent());
        }
    }

    @Test
    void theSettingIsReadAsAClassOrItsName() {
        assertTrue(KeyValueStores.inMemory(BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class));
        assertTrue(KeyValueStores.inMemory(BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName()));
        assertFalse(KeyValueStores.inMemory(BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class));
        assertFalse(KeyValueStores.inMemory(null));
    }

    /** Every record puts its key; the store then answers point reads, ranges and deletes. */
    private static void writeAndRead(TopologyTestDriver driver, KeyValueStore<String, String> store) {
        var input = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
        input.pipeInput("b", "2");
        input.pipeInput("a", "1");
        input.pipeInput("c", "3");
        assertEquals("1", store.get("a"));
        store.delete("c");
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> all = store.range("a", "z")) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        assertEquals(List.of("a", "b"), keys);
    }

    private TopologyTestDriver driver(Class<?> dslStoreSuppliers) {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("put", () -> new Processor<String, String, Void, Void>() {
            private KeyValueStore<String, String> store;

            @Override
            public void init(ProcessorContext<Void, Void> context) {
                store = context.getStateStore("counts");
            }

            @Override
            public void process(Record<String, String> record) {
                store.put(record.key(), record.value());
            }
        }, "in");
        topology.addStateStore(KeyValueStores.keyValue("counts", Serdes.String(), Serdes.String()), "put");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "key-value-stores-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        if (dslStoreSuppliers != null) {
            props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, dslStoreSuppliers);
        }
        return new TopologyTestDriver(topology, props);
    }
}
