package io.flywheel.verification;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The schema registry stopped for 60 s while traffic flows, then started again; no kills and no
 * broker restart, so whatever goes wrong is the outage's doing. Every check of the verifier must
 * pass: nothing in any DLQ but the hostile records, every decision right, including the run's own
 * BLOCK keyword policy (applied before traffic) for completions screened during and after the
 * outage, and every aggregate exact. No instance may fail either: the supervisor, standing in for
 * the platform, must restart none. Needs the services packaged, like {@link ChaosRunIT}.
 */
class RegistryOutageIT {

    @Test
    void aSixtySecondRegistryOutageLosesDeadLettersAndAltersNothing() {
        ChaosRun run = new ChaosRun();
        String repo = System.getProperty("verification.repo", "..");
        int exit = new CommandLine(run).execute(
                "--repo", repo,
                "--out", ChaosRunIT.freshRunDirectory("registry-outage-run").toString(),
                "--events", "4000",
                "--rate", "40",
                "--kills", "0",
                "--no-broker-restart",
                "--no-final-kills",
                "--registry-outage", "60s");
        assertTrue(run.report() != null, "the run did not start");
        assertTrue(exit == 0 && run.report().passed(), run.report().render());
        String report = run.report().render();
        assertTrue(report.matches("(?s).*registry outages\\s+1 x 60 s.*"), "the outage did not happen: " + report);
        assertTrue(report.matches("(?s).*restarts after ERROR \\(platform\\)\\s+0\n.*"),
                "an instance failed during the outage and needed the platform's restart: " + report);
    }
}
