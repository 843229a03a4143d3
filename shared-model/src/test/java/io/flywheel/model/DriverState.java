package io.flywheel.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A TopologyTestDriver's own state folder and settings, deleted on close. The driver flushes every
 * store after every record; on a RAM-backed folder (/dev/shm, where there is one) that costs no
 * disk syncs, which makes the property tests about ten times faster.
 */
public final class DriverState implements AutoCloseable {

    private final Path dir;

    public DriverState() {
        Path ram = Path.of("/dev/shm");
        try {
            dir = Files.isDirectory(ram) && Files.isWritable(ram)
                    ? Files.createTempDirectory(ram, "flywheel-driver") : Files.createTempDirectory("flywheel-driver");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Driver settings: record cache off, internal names required, this state folder. */
    public Properties properties(String applicationId) {
        Properties props = new Properties();
        props.put("application.id", applicationId);
        props.put("bootstrap.servers", "unused:9092");
        props.put("statestore.cache.max.bytes", 0L);
        props.put("ensure.explicit.internal.resource.naming", true);
        props.put("state.dir", dir.toString());
        return props;
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
