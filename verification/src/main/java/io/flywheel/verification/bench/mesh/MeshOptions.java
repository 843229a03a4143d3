package io.flywheel.verification.bench.mesh;

import io.flywheel.verification.ChaosRun;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of the mesh part of the bench command (freshness, queries, memory, start time). */
public final class MeshOptions {

    @Option(names = "--rate", defaultValue = "5000",
            description = "feedback events per second into the whole mesh while freshness and memory are measured (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--completion-rate", defaultValue = "-1",
            description = "completions per second at the same time (default: the same as --rate)")
    int completionRate;

    @Option(names = "--duration", defaultValue = "60s", converter = ChaosRun.DurationOption.class,
            description = "how long freshness probes run while the mesh ingests, e.g. 60s, 5m (default ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warm-up", defaultValue = "15s", converter = ChaosRun.DurationOption.class,
            description = "ingest this long before probes and queries are measured (default ${DEFAULT-VALUE})")
    Duration warmUp;

    @Option(names = "--probe-interval", defaultValue = "200ms", converter = ChaosRun.DurationOption.class,
            description = "one freshness probe per service this often (default ${DEFAULT-VALUE})")
    Duration probeInterval;

    @Option(names = "--probe-timeout", defaultValue = "10s", converter = ChaosRun.DurationOption.class,
            description = "a probe not seen within this long is a miss (default ${DEFAULT-VALUE})")
    Duration probeTimeout;

    @Option(names = "--query-callers", defaultValue = "16",
            description = "concurrent callers of the closed-loop query runs (default ${DEFAULT-VALUE})")
    int queryCallers;

    @Option(names = "--query-time", defaultValue = "15s", converter = ChaosRun.DurationOption.class,
            description = "length of each measured query run, after a fifth of it as warm-up (default ${DEFAULT-VALUE})")
    Duration queryTime;

    @Option(names = "--query-buckets", defaultValue = "24",
            description = "cohort buckets each GetStats asks for besides all-time, as a dashboard does (default ${DEFAULT-VALUE})")
    int queryBuckets;

    @Option(names = "--instances", defaultValue = "2",
            description = "instances of every service (at least 2, so a query can be forwarded; default ${DEFAULT-VALUE})")
    int instances;

    @Option(names = "--service-jvm", split = " ", defaultValue = "-Xmx512m",
            description = "JVM options of every service instance (default: the heap of the services' JVM images, ${DEFAULT-VALUE})")
    List<String> serviceJvm;

    int completionRate() {
        return completionRate < 0 ? rate : completionRate;
    }

    void validate() {
        if (rate < 1 || completionRate() < 0) {
            throw new IllegalArgumentException("--rate must be at least 1 and --completion-rate at least 0");
        }
        if (instances < 2) {
            throw new IllegalArgumentException("--instances must be at least 2: a query through a forwarding hop needs a second instance");
        }
        if (queryCallers < 1 || queryBuckets < 0 || queryBuckets > 1000) {
            throw new IllegalArgumentException("--query-callers must be at least 1 and --query-buckets within 0..1000");
        }
    }
}
