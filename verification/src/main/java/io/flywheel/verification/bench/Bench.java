package io.flywheel.verification.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar verification/target/flywheel-verification.jar bench}: every speed and memory figure
 * of the project in one run on a real broker with exactly-once, written to {@code docs/benchmarks.json}
 * and the generated section of {@code docs/benchmarks.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput, freshness, queries, memory and start time; write benchmarks.json and benchmarks.md.")
public final class Bench implements Callable<Integer> {

    @Option(names = "--repo", defaultValue = ".", description = "repository root with the built services (default: the current directory)")
    Path repo;

    @Option(names = "--out", defaultValue = "docs", description = "where benchmarks.json and benchmarks.md are written (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--work", description = "run directory: logs and broker data (default target/bench/<run id>)")
    Path work;

    @Option(names = "--parts", split = ",", defaultValue = "drain,mesh",
            description = "which parts to run (default ${DEFAULT-VALUE}): drain = throughput of each service against its passthroughs, "
                    + "mesh = freshness, queries, memory and start time with the whole mesh running")
    java.util.Set<String> parts;

    @picocli.CommandLine.Mixin
    io.flywheel.verification.bench.mesh.MeshOptions meshOptions;

    @Override
    public Integer call() throws Exception {
        BenchReport report = new BenchReport("java -jar verification/target/flywheel-verification.jar bench");
        // Each part adds its figures to the report; see docs/benchmarks.md for what they measure.
        // drain: parts.contains("drain") -> the drain benchmarks add their figures here
        // mesh: parts.contains("mesh") -> the mesh benchmarks add their figures here
        if (parts.contains("mesh")) {
            io.flywheel.verification.bench.mesh.MeshBench.run(repo, work, meshOptions, report);
        }
        report.write(out);
        return 0;
    }
}
