package io.flywheel.verification.bench.mesh;

import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.verification.bench.BenchReport;
import io.flywheel.verification.bench.Figure;
import io.flywheel.verification.mesh.Mesh;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The mesh part of the bench command: the whole mesh (every service, {@code --instances} of each)
 * on one broker, measured in this order:
 * <ol>
 *   <li>start time: each service's first instance alone, spawn to readiness (Kafka Streams RUNNING, empty state);</li>
 *   <li>queries, idle: closed-loop throughput of {@code GetStats} answered locally and through a forwarding
 *       hop against the gRPC health check on the same server, then open-loop latency at 20 % of each maximum;</li>
 *   <li>while the mesh ingests at {@code --rate}: freshness probes per service, the open-loop query runs again,
 *       and the peak resident set of every service process.</li>
 * </ol>
 *
 * <p>Longer than most classes here: one phase after another on the same running mesh, each a few lines.
 */
public final class MeshBench {

    /** The share of the measured maximum at which latency is measured. */
    static final double OPEN_LOOP_SHARE = 0.2;
    private static final String AGGREGATOR = "feedback-aggregator";

    private final MeshOptions options;
    private final BenchReport report;
    private final Map<Integer, ManagedChannel> channels = new HashMap<>();

    private MeshBench(MeshOptions options, BenchReport report) {
        this.options = options;
        this.report = report;
    }

    /** Runs the mesh benchmarks on the services built in {@code repo}; logs and broker data go to {@code work} (null: a new run directory). */
    public static void run(Path repo, Path work, MeshOptions options, BenchReport report) throws Exception {
        options.validate();
        Path runDir = work != null ? work : Path.of("target", "bench", "r" + Long.toString(System.currentTimeMillis(), 36));
        new MeshBench(options, report).run(repo, runDir);
    }

    private void run(Path repo, Path work) throws Exception {
        try (Mesh mesh = new Mesh(repo, work.resolve("mesh"), Map.of(), options.serviceJvm, options.instances)) {
            mesh.requireBuilt();
            System.out.println("mesh: starting the broker and the registry in " + work.resolve("mesh").toAbsolutePath());
            mesh.startInfrastructure();
            startTimes(mesh);
            try {
                QueryTarget target = seedAndLocate(mesh);
                Map<String, Double> maxima = idleQueries(target);
                ingesting(mesh, target, maxima);
            } finally {
                channels.values().forEach(ManagedChannel::shutdownNow);
            }
        }
        report.remark("Mesh figures: every service runs " + options.instances + " instances as `java " + String.join(" ", options.serviceJvm)
                + " -jar quarkus-run.jar` with its default configuration (RocksDB: one 64 MiB block cache per instance holding a "
                + "48 MiB write-buffer budget; Kafka Streams record cache 10 MiB; exactly-once, commit interval 200 ms). Input while "
                + "ingesting: " + options.rate + " feedback events/s and " + options.completionRate() + " completions/s (10 % of responses "
                + "with PII, a secret or an injection; feedback on recent completions: thumbs, ratings, clears, regenerations, copies, "
                + "reports). GetStats asks for all-time and the last " + options.queryBuckets + " buckets; " + options.queryCallers
                + " closed-loop callers on one channel; the no-op is grpc.health.v1.Health/Check on the same instance. "
                + "The harness (load, probes, callers) shares the machine with the mesh.");
    }

    /** Each service's first instance started alone (the others later), timed from spawn to readiness at 50 ms resolution. */
    private void startTimes(Mesh mesh) throws Exception {
        for (String service : Mesh.SERVICES) {
            Mesh.Instance first = mesh.startInstance(service, 0);
            long readyNanos = awaitReady(mesh, first);
            report.add(Figure.of(service + ".start.to-running", (readyNanos - first.process().startedNanos()) / 1e6, "ms"));
        }
        List<Mesh.Instance> others = new ArrayList<>();
        for (String service : Mesh.SERVICES) {
            for (int i = 1; i < options.instances; i++) {
                others.add(mesh.startInstance(service, i));
            }
        }
        for (Mesh.Instance instance : others) {
            awaitReady(mesh, instance);
        }
    }

    private static long awaitReady(Mesh mesh, Mesh.Instance instance) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            if (!instance.process().alive()) {
                throw new IllegalStateException(instance.label() + " exited while starting; see " + instance.process().log());
            }
            if (mesh.isReady(instance)) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(instance.label() + " not ready within 4 minutes; see " + instance.process().log());
    }

    /** The aggregator instance that owns the queried key, and one that does not (its calls take a forwarding hop). */
    private record QueryTarget(GetStatsRequest request, ManagedChannel owner, ManagedChannel other) {
    }

    private ManagedChannel channel(Mesh.Instance instance) {
        return channels.computeIfAbsent(instance.port(), port -> ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    /** Warms the mesh with the input for the warm-up time, then finds which instance owns the busiest key's stats. */
    private QueryTarget seedAndLocate(Mesh mesh) throws Exception {
        System.out.println("mesh: warming up with " + options.rate + " feedback events/s for " + options.warmUp.toSeconds() + " s");
        try (MeshTraffic traffic = new MeshTraffic(mesh.bootstrapServers(), mesh.registryUrl(), options.rate, options.completionRate())) {
            traffic.start();
            Thread.sleep(options.warmUp.toMillis());
        }
        awaitCaughtUp(mesh, Duration.ofMinutes(5));
        String[] key = MeshTraffic.MODEL_KEYS.get(0);
        GetStatsRequest request = GetStatsRequest.newBuilder().setKey(ModelKey.newBuilder().setModelName(key[0]).setModelVersion(key[1])
                .setPromptVersion(key[2])).setLastBuckets(options.queryBuckets).build();
        List<Mesh.Instance> aggregators = mesh.instances().stream().filter(i -> i.service().equals(AGGREGATOR)).toList();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try {
                GetStatsResponse answer = FeedbackQueryServiceGrpc.newBlockingStub(channel(aggregators.get(0)))
                        .withDeadlineAfter(5, TimeUnit.SECONDS).getStats(request);
                String servedBy = answer.getMetadata().getServedBy();
                Mesh.Instance owner = aggregators.stream().filter(i -> servedBy.endsWith(":" + i.port())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("GetStats was served by " + servedBy + ", not an aggregator of this mesh"));
                Mesh.Instance other = aggregators.stream().filter(i -> i != owner).findFirst().orElseThrow();
                String forwardedTo = FeedbackQueryServiceGrpc.newBlockingStub(channel(other)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getStats(request).getMetadata().getServedBy();
                if (!forwardedTo.equals(servedBy)) {
                    report.remark("GetStats through the hop: " + other.label() + " had " + forwardedTo + " answer, not the owner " + servedBy + ".");
                }
                return new QueryTarget(request, channel(owner), channel(other));
            } catch (StatusRuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("GetStats did not answer for " + String.join("/", key) + " within 2 minutes", notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Waits until every service has consumed the warm-up input, so the idle query runs share the machine with nothing. */
    private void awaitCaughtUp(Mesh mesh, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long behind;
        do {
            behind = 0;
            for (String service : Mesh.SERVICES) {
                behind += InputLag.of(mesh.bootstrapServers(), service);
            }
            if (behind == 0) {
                return;
            }
            Thread.sleep(2000);
        } while (System.nanoTime() < deadline);
        report.remark("The services were still " + behind + " records behind the warm-up input after " + timeout.toMinutes()
                + " minutes; the idle query runs shared the machine with that backlog.");
    }

    private QueryLoad.BlockingCall getStats(ManagedChannel channel, GetStatsRequest request) {
        var stub = FeedbackQueryServiceGrpc.newBlockingStub(channel);
        return () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).getStats(request);
    }

    private static QueryLoad.BlockingCall noOp(ManagedChannel channel) {
        var stub = HealthGrpc.newBlockingStub(channel);
        return () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    }

    /** Closed-loop maxima (no-op and GetStats, on the owner and through the hop), then open-loop latency, with no input flowing. */
    private Map<String, Double> idleQueries(QueryTarget target) throws InterruptedException {
        String prefix = AGGREGATOR + ".query.";
        HealthCheckResponse health = HealthGrpc.newBlockingStub(target.owner()).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        System.out.println("mesh: the no-op baseline, grpc.health.v1.Health/Check, answers " + health.getStatus());
        Figure noOpOwner = closedLoop(prefix + "noop.owner.throughput", noOp(target.owner()));
        Figure local = closedLoop(prefix + "getstats.local.throughput", getStats(target.owner(), target.request())).against(noOpOwner);
        Figure noOpOther = closedLoop(prefix + "noop.other.throughput", noOp(target.other()));
        Figure hop = closedLoop(prefix + "getstats.hop.throughput", getStats(target.other(), target.request())).against(noOpOther);
        report.addAll(List.of(noOpOwner, local, noOpOther, hop));
        Map<String, Double> maxima = Map.of("local", local.value(), "hop", hop.value());
        openLoops(target, maxima, "idle");
        return maxima;
    }

    private Figure closedLoop(String name, QueryLoad.BlockingCall call) throws InterruptedException {
        QueryLoad.Throughput throughput = QueryLoad.closedLoop(call, options.queryCallers, options.queryTime.dividedBy(5), options.queryTime);
        if (throughput.failures() > 0) {
            report.remark(name + ": " + throughput.failures() + " calls failed during the measured window.");
        }
        return Figure.of(name, throughput.perSecond(), "calls/s");
    }

    /** GetStats on a fixed schedule at 20 % of the measured maximum, locally and through the hop. */
    private void openLoops(QueryTarget target, Map<String, Double> maxima, String condition) throws InterruptedException {
        for (String route : List.of("local", "hop")) {
            var stub = FeedbackQueryServiceGrpc.newStub(route.equals("local") ? target.owner() : target.other());
            Schedule schedule = Schedule.shareOf(maxima.get(route), OPEN_LOOP_SHARE);
            QueryLoad.Latency latency = QueryLoad.<GetStatsResponse>openLoop(
                    observer -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).getStats(target.request(), observer),
                    schedule, options.queryTime, Duration.ofSeconds(10));
            String name = AGGREGATOR + ".query.getstats." + route + "." + condition;
            report.add(Figure.of(name + ".rate", latency.perSecond(), "calls/s"));
            if (latency.latencies().count() > 0) {
                report.addAll(latency.latencies().figures(name, false));
            }
            if (latency.failures() > 0) {
                report.remark(name + ": " + latency.failures() + " of " + schedule.sendsWithin(options.queryTime) + " calls failed.");
            }
        }
    }

    /** The input at the configured rate: freshness probes, the open-loop queries again, then peak memory. */
    private void ingesting(Mesh mesh, QueryTarget target, Map<String, Double> maxima) throws Exception {
        System.out.println("mesh: ingesting " + options.rate + " feedback events/s and " + options.completionRate() + " completions/s");
        try (MeshTraffic traffic = new MeshTraffic(mesh.bootstrapServers(), mesh.registryUrl(), options.rate, options.completionRate())) {
            traffic.start();
            Thread.sleep(options.warmUp.toMillis());
            Mesh.Instance firstAggregator = mesh.instances().stream().filter(i -> i.service().equals(AGGREGATOR)).findFirst().orElseThrow();
            try (FreshnessProbes probes = new FreshnessProbes(mesh.bootstrapServers(), mesh.registryUrl(), channel(firstAggregator),
                    options.probeTimeout)) {
                Schedule schedule = new Schedule(1e9 / options.probeInterval.toNanos());
                long start = System.nanoTime();
                for (long i = 0; i < schedule.sendsWithin(options.duration); i++) {
                    long wait = start + schedule.dueNanos(i) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    probes.probe();
                }
                report.addAll(probes.finish());
            }
            for (String service : Mesh.SERVICES) {
                report.add(Figure.of(service + ".input.lag.end", InputLag.of(mesh.bootstrapServers(), service), "records"));
            }
            openLoops(target, maxima, "ingesting");
            report.add(Figure.of("mesh.input.feedback.rate", traffic.feedbackPerSecond(), "events/s"));
            report.add(Figure.of("mesh.input.completions.rate", traffic.completionsPerSecond(), "events/s"));
            peakMemory(mesh);
        }
    }

    /** The highest VmHWM among each service's instances, read while the input still flows. */
    private void peakMemory(Mesh mesh) {
        for (String service : Mesh.SERVICES) {
            OptionalLong peak = mesh.instances().stream().filter(i -> i.service().equals(service))
                    .map(i -> PeakMemory.of(i.process().pid())).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max();
            if (peak.isPresent()) {
                report.add(Figure.of(service + ".rss.peak", peak.getAsLong() / 1048576.0, "MB"));
            } else {
                report.remark(service + ": no peak resident set (no instance alive at the end of the run).");
            }
        }
    }
}
