package io.flywheel.verification.bench;

import io.flywheel.verification.bench.drain.DrainBench;
import io.flywheel.verification.bench.mesh.MeshBench;
import io.flywheel.verification.bench.mesh.MeshOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar verification/target/flywheel-verification.jar bench}: every speed and memory figure
 * of the project in one run on a real broker with exactly-once, written to {@code docs/benchmarks.json}
 * and the generated section of {@code docs/benchmarks.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput, freshness, queries, memory and start time; write benchmarks.json and benchmarks.md.")
public final class Bench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--repo", defaultValue = ".", description = "repository root with the built services (default: the current directory)")
    Path repo;

    @Option(names = "--out", defaultValue = "docs", description = "where benchmarks.json and benchmarks.md are written (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--work", description = "run directory: logs and broker data (default target/bench/<run id>)")
    Path work;

    @Option(names = "--parts", split = ",", defaultValue = "drain,mesh",
            description = "which parts to run (default ${DEFAULT-VALUE}): drain = throughput of each service against its passthroughs, "
                    + "mesh = freshness, queries, memory and start time with the whole mesh running")
    Set<String> parts;

    @Option(names = "--drain-events", defaultValue = "400000",
            description = "workload records pre-loaded for the drain part, completions and feedback (default ${DEFAULT-VALUE})")
    long drainEvents;

    @Option(names = "--drain-rounds", defaultValue = "3", description = "alternating rounds per service in the drain part; the median counts (default ${DEFAULT-VALUE})")
    int drainRounds;

    @Option(names = "--drain-threads", defaultValue = "2", description = "stream threads of every drain contestant (default ${DEFAULT-VALUE})")
    int drainThreads;

    @Option(names = "--drain-services", split = ",", defaultValue = "eval-sampler,feedback-aggregator,safety-filter",
            description = "services measured in the drain part (default ${DEFAULT-VALUE})")
    List<String> drainServices;

    @Option(names = "--drain-jvm-flag", description = "an extra flag for every drain contestant's JVM, repeatable; {contestant} is replaced by "
            + "the contestant's application id (e.g. -XX:StartFlightRecording=filename=/tmp/{contestant}.jfr)")
    List<String> drainJvmFlags = new ArrayList<>();

    @Mixin
    MeshOptions meshOptions;

    @Override
    public Integer call() throws Exception {
        // The command as given, options included, so the figures can be reproduced.
        BenchReport report = new BenchReport(String.join(" ", Stream.concat(
                Stream.of("java -jar verification/target/flywheel-verification.jar"),
                spec.commandLine().getParseResult().originalArgs().stream()).toList()));
        // Each part adds its figures to the report; see docs/benchmarks.md for what they measure.
        if (!DrainBench.SERVICES.containsAll(drainServices)) {
            throw new ParameterException(spec.commandLine(), "--drain-services: one of " + DrainBench.SERVICES + " each, got " + drainServices);
        }
        if (parts.contains("drain")) {
            Path runDir = (work != null ? work : repo.resolve("target/bench").resolve(Long.toString(System.currentTimeMillis()))).resolve("drain");
            List<String> jvmFlags = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            jvmFlags.addAll(drainJvmFlags);
            new DrainBench(repo, runDir, new DrainBench.Settings(drainServices, drainEvents, drainRounds, drainThreads, 200, jvmFlags))
                    .run(report);
        }
        if (parts.contains("mesh")) {
            MeshBench.run(repo, work, meshOptions, report);
        }
        report.write(out);
        return 0;
    }
}
