package io.flywheel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;

/**
 * The one way the services' topology tests open a {@link TopologyTestDriver}: the standard test
 * properties, and a state folder of its own, deleted on close. The driver flushes every store after
 * every record, a RocksDB flush each: the stores the services declare through
 * {@code io.flywheel.runtime.state.KeyValueStores} run in memory here (the Streams setting
 * {@code dsl.store.suppliers.class}), which makes store-heavy tests two to three times faster; a
 * test that needs RocksDB passes {@link #ROCKSDB} as an override. The folder is RAM-backed
 * ({@code /dev/shm}) where there is one.
 *
 * <pre>{@code
 * try (TopologyTestDriver driver = TopologyTestDrivers.open(MyTopology.build(...), "my-app", 0, WALL_CLOCK)) { ... }
 * }</pre>
 */
public final class TopologyTestDrivers {

    /** Override for a test that needs the stores on RocksDB, as in production. */
    public static final Map<String, Object> ROCKSDB = Map.of(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
            BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class);

    private TopologyTestDrivers() {
    }

    /**
     * @param applicationId the Streams application id (names changelog and repartition topics)
     * @param cacheBytes    record cache size: 0 forwards every update, more batches them as in production
     * @param wallClock     the driver's initial wall-clock time
     */
    public static TopologyTestDriver open(Topology topology, String applicationId, long cacheBytes, Instant wallClock) {
        return open(topology, applicationId, cacheBytes, wallClock, Map.of());
    }

    /** As {@link #open(Topology, String, long, Instant)}, with more Streams settings on top of the standard ones. */
    public static TopologyTestDriver open(Topology topology, String applicationId, long cacheBytes, Instant wallClock,
                                         Map<String, ?> overrides) {
        Path stateDir = newStateDir(applicationId);
        try {
            Properties props = properties(applicationId, cacheBytes, stateDir);
            props.putAll(overrides);
            return new Driver(topology, props, wallClock, stateDir);
        } catch (RuntimeException e) {
            deleteRecursively(stateDir);
            throw e;
        }
    }

    /** The properties every Flywheel topology test runs with. */
    static Properties properties(String applicationId, long cacheBytes, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        // Production refuses generated internal names; so do the tests.
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class);
        return props;
    }

    /** A driver that deletes its state folder when closed. */
    private static final class Driver extends TopologyTestDriver {
        private final Path stateDir;

        private Driver(Topology topology, Properties props, Instant wallClock, Path stateDir) {
            super(topology, props, wallClock);
            this.stateDir = stateDir;
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                deleteRecursively(stateDir);
            }
        }
    }

    private static Path newStateDir(String applicationId) {
        Path ram = Path.of("/dev/shm");
        try {
            Path parent = Files.isDirectory(ram) && Files.isWritable(ram) ? ram : Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(parent, applicationId + "-topology-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
