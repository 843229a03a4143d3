package io.flywheel.verification;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The whole mesh under chaos, verified. By default the short variant (a few thousand records, one
 * kill per service, one broker restart); {@code -Pverification-full} runs the full one (see the
 * README). Needs the services packaged: it runs after them in the reactor.
 */
class ChaosRunIT {

    @Test
    void theMeshLosesRepeatsAndAltersNothingUnderKillsAndABrokerRestart() {
        ChaosRun run = new ChaosRun();
        String repo = System.getProperty("verification.repo", "..");
        int exit = new CommandLine(run).execute(
                "--repo", repo,
                "--out", freshRunDirectory("chaos-run").toString(),
                "--events", System.getProperty("verification.events", "8000"),
                "--rate", System.getProperty("verification.rate", "200"),
                "--kills", System.getProperty("verification.kills", "3"));
        assertTrue(run.report() != null, "the run did not start");
        assertTrue(exit == 0 && run.report().passed(), run.report().render());
    }

    /** A fresh run directory under target/: an earlier run's broker data would stop the harness. */
    static Path freshRunDirectory(String name) {
        Path dir = Path.of("target", name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
        return dir;
    }
}
