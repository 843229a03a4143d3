package io.flywheel.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every deployment check shares: the repository it reads, and one failure listing every problem found. */
final class Checks {

    static final Path ROOT = repositoryRoot();

    private Checks() {
    }

    static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    private static Path repositoryRoot() {
        Path directory = Path.of("").toAbsolutePath();
        while (!Files.exists(directory.resolve("docker-compose.yml"))) {
            directory = directory.getParent();
        }
        return directory;
    }
}
