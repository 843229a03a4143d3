package io.flywheel.verification;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
                "--out", Path.of("target", "chaos-run").toString(),
                "--events", System.getProperty("verification.events", "8000"),
                "--rate", System.getProperty("verification.rate", "200"),
                "--kills", System.getProperty("verification.kills", "3"));
        assertTrue(run.report() != null, "the run did not start");
        assertTrue(exit == 0 && run.report().passed(), run.report().render());
    }
}
