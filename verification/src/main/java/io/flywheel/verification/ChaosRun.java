package io.flywheel.verification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flywheel.verification.mesh.Chaos;
import io.flywheel.verification.mesh.Drain;
import io.flywheel.verification.mesh.Generator;
import io.flywheel.verification.mesh.Mesh;
import io.flywheel.verification.mesh.OutputReader;
import io.flywheel.verification.mesh.Supervisor;
import io.flywheel.verification.verify.Check;
import io.flywheel.verification.verify.Expectations;
import io.flywheel.verification.verify.Report;
import io.flywheel.verification.verify.SamplerParameters;
import io.flywheel.verification.verify.Verifier;
import io.flywheel.verification.workload.HostileKind;
import io.flywheel.verification.workload.Workload;
import io.flywheel.verification.workload.WorkloadSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One verification run: start the mesh, write the workload while the chaos driver kills
 * instances and restarts the broker, kill one instance of each service for good, let the
 * survivors drain, then verify every output and write the report.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the mesh under chaos and verify every output.")
public final class ChaosRun implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "records to write (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--rate", defaultValue = "3000", description = "records per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--kills", defaultValue = "12", description = "SIGKILLs of service instances during the run, restarted each (default ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--seed", defaultValue = "20261127", description = "seed of the workload and the chaos (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "run directory: logs, broker data, workload.json, report.txt (default target/verification/<run id>)")
    Path out;

    @Option(names = "--repo", defaultValue = ".", description = "repository root with the built services (default: the current directory)")
    Path repo;

    @Option(names = "--hostile", split = ",", description = "hostile kinds to write (default: all): ${COMPLETION-CANDIDATES}")
    List<HostileKind> hostile;

    @Option(names = "--no-queries", description = "do not run the query probe")
    boolean noQueries;

    @Option(names = "--no-broker-restart", description = "do not SIGKILL and restart the broker")
    boolean noBrokerRestart;

    @Option(names = "--no-final-kills", description = "do not kill one instance of every service for good after the last write")
    boolean noFinalKills;

    @Option(names = "--registry-outage", defaultValue = "0s", converter = DurationOption.class,
            description = "stop the schema registry this long, a quarter into the run, e.g. 60s (default: no outage)")
    Duration registryOutage;

    /** The report of the last run (for the integration test). */
    Report report;

    @Override
    public Integer call() throws Exception {
        String runId = "r" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Path runDir = out != null ? out : Path.of("target", "verification", runId);
        Files.createDirectories(runDir);
        WorkloadSpec spec = WorkloadSpec.of(runId, seed, events, Instant.now());
        if (hostile != null) {
            spec = spec.withHostileKinds(hostile);
        }
        SamplerParameters parameters = SamplerParameters.forRun("verification-salt-" + runId);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(runDir.resolve("workload.json").toFile(),
                Map.of("spec", spec, "sampler", Map.of("salt", parameters.salt(), "baseRate", parameters.baseRate(),
                        "bucketWidth", parameters.bucketWidth().toString())));
        report = new Report().fact("run", runId).fact("seed", seed).fact("run directory", runDir.toAbsolutePath());
        long started = System.nanoTime();
        try (Mesh mesh = new Mesh(repo, runDir, Map.of(
                "FLYWHEEL_SAMPLER_SALT", parameters.salt(),
                "FLYWHEEL_SAMPLER_DEFAULT_BASE_RATE", Double.toString(parameters.baseRate()),
                "FLYWHEEL_AGGREGATOR_BUCKET_WIDTH", "5m",
                // Drift would make the DRIFT rate depend on timing; the run checks that no alert fires.
                "FLYWHEEL_AGGREGATOR_DRIFT_MIN_VOTES", "1000000000"))) {
            mesh.requireBuilt();
            System.out.println("starting the mesh in " + runDir.toAbsolutePath());
            mesh.start();
            report.fact("mesh ready after", seconds(started));

            AtomicBoolean sentAll = new AtomicBoolean();
            Chaos chaos = new Chaos(mesh, kills, Duration.ofMillis(events * 1000 / rate), seed, sentAll::get, !noBrokerRestart,
                    registryOutage);
            Thread chaosThread = new Thread(chaos, "chaos");
            chaosThread.start();
            Supervisor supervisor = new Supervisor(mesh);
            Thread supervisorThread = new Thread(supervisor, "supervisor");
            supervisorThread.setDaemon(true);
            supervisorThread.start();
            QueryProbe probe = noQueries ? null : new QueryProbe(mesh);
            if (probe != null) {
                probe.start();
            }
            Generator generator = new Generator(mesh.bootstrapServers(), mesh.registryUrl());
            long sendStart = System.nanoTime();
            try {
                generator.send(new Workload(spec), rate);
            } finally {
                sentAll.set(true);
            }
            report.fact("records written", generator.acknowledged() + " in " + seconds(sendStart)
                    + String.format(" (%.0f/s)", generator.acknowledged() / ((System.nanoTime() - sendStart) / 1e9)));
            chaosThread.join();
            if (chaos.failure() != null) {
                throw new IllegalStateException("the chaos driver failed", chaos.failure());
            }
            if (!noFinalKills) {
                chaos.killOneOfEachForGood(supervisor);
            }
            String drainFailure = null;
            try {
                Duration drained = Drain.await(mesh, Duration.ofSeconds(15), Duration.ofMinutes(20));
                report.fact("drained after the last write", drained.toSeconds() + " s");
            } catch (IllegalStateException e) {
                // Verify anyway: the counts say what a mesh that cannot finish has lost so far.
                drainFailure = e.getMessage();
            }
            report.checks(List.of(Check.ofRun("the mesh drained (all input consumed)", drainFailure)));
            if (probe != null) {
                probe.stop();
                probe.outcomes().forEach(report::queryOutcome);
            }
            supervisor.stop();
            report.fact("service kills (SIGKILL)", chaos.kills() + (noFinalKills ? "" : " (incl. one per service for good at the end)"));
            report.fact("restarts after ERROR (platform)", supervisor.restarts().size());
            supervisor.restarts().forEach(line -> report.event("supervisor " + line));
            report.fact("broker restarts (SIGKILL)", chaos.brokerRestarts());
            if (!registryOutage.isZero()) {
                report.fact("registry outages", chaos.registryOutages() + " x " + registryOutage.toSeconds() + " s");
            }
            chaos.timeline().forEach(report::event);

            Expectations expectations = Expectations.of(new Workload(spec), parameters);
            report.fact("workload records", expectations.records() + " (valid completions " + expectations.validCompletions()
                    + ", valid feedback " + expectations.validFeedback() + ", hostile " + expectations.hostile() + ")");
            Verifier verifier = new Verifier(expectations);
            long read = new OutputReader(mesh.bootstrapServers(), mesh.registryUrl()).readInto(verifier, Duration.ofSeconds(90));
            report.fact("output records read", read);
            report.checks(verifier.checks());
            report.fact("total time", seconds(started));
        } catch (Exception e) {
            report.fact("ABORTED", e.toString());
            throw e;
        } finally {
            System.out.println(report.render());
            report.write(runDir.resolve("report.txt"));
            System.out.println("report: " + runDir.resolve("report.txt").toAbsolutePath());
        }
        return report.passed() ? 0 : 1;
    }

    private static String seconds(long sinceNanos) {
        return String.format("%.0f s", (System.nanoTime() - sinceNanos) / 1e9);
    }

    /** Durations as the CLI writes them: 200ms, 60s, 2m, or ISO-8601 (PT60S). */
    public static final class DurationOption implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim().toUpperCase(java.util.Locale.ROOT);
            if (text.endsWith("MS")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            return Duration.parse(text.startsWith("P") ? text : "PT" + text);
        }
    }

    public Report report() {
        return report;
    }
}
