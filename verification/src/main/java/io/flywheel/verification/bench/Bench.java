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

    @Override
    public Integer call() throws Exception {
        BenchReport report = new BenchReport("java -jar verification/target/flywheel-verification.jar bench");
        // Each part adds its figures to the report; see docs/benchmarks.md for what they measure.
        report.write(out);
        return 0;
    }
}
