package io.flywheel.runtime.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.testkit.TopologyTestDrivers;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

class BoundedMemoryRocksDbConfigTest {

    @Test
    void everyStoreSharesOneCacheAndOneWriteBufferBudget() {
        BoundedMemoryRocksDbConfig setter = new BoundedMemoryRocksDbConfig();
        try (Options first = withTableConfig(); Options second = withTableConfig()) {
            setter.setConfig("store-a", first, Map.of(BoundedMemoryRocksDbConfig.CACHE_BYTES, "8388608"));
            setter.setConfig("store-b", second, Map.of());

            BlockBasedTableConfig table = (BlockBasedTableConfig) first.tableFormatConfig();
            assertTrue(table.cacheIndexAndFilterBlocks(), "index and filter blocks are counted in the cache");
            assertTrue(table.cacheIndexAndFilterBlocksWithHighPriority());
            assertTrue(table.pinTopLevelIndexAndFilter());
            assertEquals(2, first.maxWriteBufferNumber());
            assertNotNull(first.writeBufferManager());
            assertSame(first.writeBufferManager(), second.writeBufferManager(), "one budget for the whole instance");
        }
    }

    @Test
    void streamsRunsPersistentStoresWithIt() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()).withName("read-words"))
                .toTable(Materialized.<String, String>as(Stores.persistentKeyValueStore("latest-word"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        try (TopologyTestDriver driver = TopologyTestDrivers.open(builder.build(), "rocksdb-config-test", 0,
                Instant.EPOCH, Map.of(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class,
                        BoundedMemoryRocksDbConfig.WRITE_BUFFER_BYTES, "1048576"))) {
            TestInputTopic<String, String> words = driver.createInputTopic("words", new StringSerializer(), new StringSerializer());
            words.pipeInput("k", "first");
            words.pipeInput("k", "second");
            KeyValueStore<String, String> store = driver.getKeyValueStore("latest-word");
            assertEquals("second", store.get("k"));
        }
    }

    private static Options withTableConfig() {
        // Streams hands the setter options that already carry a block-based table config.
        return new Options().setTableFormatConfig(new BlockBasedTableConfig());
    }
}
