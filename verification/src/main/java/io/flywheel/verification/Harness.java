package io.flywheel.verification;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar verification/target/flywheel-verification.jar run ...}: see the README. */
@Command(name = "flywheel-verification", mixinStandardHelpOptions = true, subcommands = {ChaosRun.class, io.flywheel.verification.bench.Bench.class},
        description = "Proves the mesh loses, repeats and alters nothing under crashes.")
public final class Harness {

    public static void main(String[] args) {
        // The Kafka clients log every connection at INFO: keep the run's output readable.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.exit(new CommandLine(new Harness()).execute(args));
    }
}
