package io.flywheel.runtime.streams;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of the instance: one block cache and one write-buffer
 * budget shared by all stores (index and filter blocks counted in the cache), instead of
 * per-store defaults that grow with the number of partitions.
 *
 * <p>Sizes come from the Streams config: {@value #CACHE_BYTES} (default 64 MiB) and
 * {@value #WRITE_BUFFER_BYTES} (default 48 MiB, counted inside the cache). The stores are written on
 * nearly every record: 16 MiB spread over every store of every task flushed memtables so often that
 * the sampler drained at about 0.6x of its speed with 48 MiB (docs/benchmarks.md).
 */
@RegisterForReflection
public class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {

    public static final String CACHE_BYTES = "flywheel.rocksdb.cache-bytes";
    public static final String WRITE_BUFFER_BYTES = "flywheel.rocksdb.write-buffer-bytes";
    private static final long DEFAULT_CACHE_BYTES = 64L << 20;
    private static final long DEFAULT_WRITE_BUFFER_BYTES = 48L << 20;

    // Static by necessity: Streams instantiates a setter per store, the budget is per process.
    private static Cache sharedCache;
    private static WriteBufferManager sharedWriteBuffers;

    private static synchronized void initShared(Map<String, Object> configs) {
        if (sharedCache == null) {
            long cacheBytes = longConfig(configs, CACHE_BYTES, DEFAULT_CACHE_BYTES);
            long writeBufferBytes = longConfig(configs, WRITE_BUFFER_BYTES, DEFAULT_WRITE_BUFFER_BYTES);
            sharedCache = new LRUCache(cacheBytes, -1, false, 0.1);
            sharedWriteBuffers = new WriteBufferManager(writeBufferBytes, sharedCache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        initShared(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(sharedCache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(sharedWriteBuffers);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The shared cache and write-buffer manager outlive any one store.
    }

    private static long longConfig(Map<String, Object> configs, String key, long fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : Long.parseLong(value.toString().trim());
    }
}
