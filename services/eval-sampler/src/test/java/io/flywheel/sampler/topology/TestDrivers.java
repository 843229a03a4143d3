package io.flywheel.sampler.topology;

import io.flywheel.model.ProtobufSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Test drivers of the sampler topology, each with its own state folder, deleted on close. The
 * driver flushes every RocksDB store after every record; on a RAM-backed folder (/dev/shm, where
 * there is one) that costs no disk syncs, which makes these tests about ten times faster.
 */
final class TestDrivers {

    private TestDrivers() {
    }

    /** A driver that deletes its state folder when closed. */
    static final class Driver extends TopologyTestDriver {
        private final Path stateDir;

        private Driver(SamplerSettings settings, long cacheBytes, SkippedAlerts skippedAlerts, SamplerMetrics metrics,
                       Instant wallClock, Path stateDir) {
            super(SamplerTopology.build(settings, ProtobufSerdes.withoutRegistry(), skippedAlerts, metrics),
                    props(settings, cacheBytes, stateDir), wallClock);
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

    static Driver open(SamplerSettings settings, long cacheBytes, SkippedAlerts skippedAlerts, Instant wallClock) {
        return open(settings, cacheBytes, skippedAlerts, new SamplerMetrics(new SimpleMeterRegistry()), wallClock);
    }

    static Driver open(SamplerSettings settings, long cacheBytes, SkippedAlerts skippedAlerts, SamplerMetrics metrics,
                       Instant wallClock) {
        return new Driver(settings, cacheBytes, skippedAlerts, metrics, wallClock, newStateDir());
    }

    private static Properties props(SamplerSettings settings, long cacheBytes, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    private static Path newStateDir() {
        Path ram = Path.of("/dev/shm");
        try {
            Path parent = Files.isDirectory(ram) && Files.isWritable(ram) ? ram : Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(parent, "eval-sampler-topology-test");
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
