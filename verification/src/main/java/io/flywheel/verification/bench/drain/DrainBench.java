package io.flywheel.verification.bench.drain;

import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.verification.bench.BenchReport;
import io.flywheel.verification.bench.Figure;
import io.flywheel.verification.mesh.Generator;
import io.flywheel.verification.mesh.Mesh;
import io.flywheel.verification.mesh.MeshProcess;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Drain throughput of every service against its baselines, on a real broker with exactly-once v2:
 * one input pre-loaded once, then per service alternating rounds in which each contestant, a fresh
 * application id in a JVM of its own, reads the service's input topics from the start until its
 * committed offsets reach their ends. The median of the rounds is the figure.
 */
public final class DrainBench {

    /** Sampler first: the safety filter's contestants write the sampler's input (llm.completions.screened). */
    public static final List<String> SERVICES = List.of("eval-sampler", "feedback-aggregator", "safety-filter");

    /** One contestant of a service's rounds: a baseline topology, or the service itself. */
    enum Contestant {
        BYTES_PASSTHROUGH("bytes-passthrough"), STRUCTURAL_PASSTHROUGH("structural-passthrough"), TEXTBOOK("textbook"), SERVICE("service");

        final String figure;

        Contestant(String figure) {
            this.figure = figure;
        }

        static List<Contestant> of(String service) {
            return service.equals("feedback-aggregator") ? List.of(values())
                    : List.of(BYTES_PASSTHROUGH, STRUCTURAL_PASSTHROUGH, SERVICE);
        }
    }

    /**
     * @param services         the services measured, a subset of {@link #SERVICES}
     * @param records          workload records to pre-load (completions and feedback; each completion also screened)
     * @param rounds           rounds per service; every contestant drains once per round
     * @param threads          stream threads of every contestant
     * @param commitIntervalMs commit interval of every contestant (the services' configured 200 ms by default)
     * @param jvmFlags         the same heap and flags for every contestant's JVM
     */
    public record Settings(List<String> services, long records, int rounds, int threads, long commitIntervalMs, List<String> jvmFlags) {
    }

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(15);

    private final Path repo;
    private final Path runDir;
    private final Settings settings;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    public DrainBench(Path repo, Path runDir, Settings settings) {
        this.repo = repo.toAbsolutePath();
        this.runDir = runDir.toAbsolutePath();
        this.settings = settings;
    }

    /** Runs every service's rounds and adds their figures and remarks to {@code report}. */
    public void run(BenchReport report) throws Exception {
        try (Mesh mesh = new Mesh(repo, runDir, Map.of())) {
            mesh.requireBuilt();
            mesh.startInfrastructure();
            try (Admin client = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, mesh.bootstrapServers()))) {
                create(client, DrainTopologies.COPY);
                long start = System.nanoTime();
                Generator generator = new Generator(mesh.bootstrapServers(), mesh.registryUrl());
                generator.send(new DrainWorkload(settings.records(), Instant.now()), Integer.MAX_VALUE);
                System.out.printf(Locale.ROOT, "drain: pre-loaded %,d records in %.0f s%n", generator.acknowledged(),
                        (System.nanoTime() - start) / 1e9);
                for (String service : SERVICES.stream().filter(settings.services()::contains).toList()) {
                    measure(mesh, client, service, report);
                }
            }
        }
    }

    private void measure(Mesh mesh, Admin admin, String service, BenchReport report) throws Exception {
        List<String> inputs = DrainTopologies.inputs(service);
        long total = endOffsets(admin, inputs).values().stream().mapToLong(Long::longValue).sum();
        Map<Contestant, List<Rates>> rounds = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++) {
            for (Contestant contestant : Contestant.of(service)) {
                Rates rates = drain(mesh, admin, service, contestant, round, inputs, total);
                rounds.computeIfAbsent(contestant, c -> new ArrayList<>()).add(rates);
                System.out.printf(Locale.ROOT, "drain: %s round %d %s %,.0f records/s, second half %,.0f records/s at %.1f µs CPU per record%n",
                        service, round, contestant.figure, rates.whole(), rates.secondHalf(), rates.secondHalfCpuMicros());
            }
        }
        addFigures(report, service, rounds, "", "records/s", Rates::whole);
        addFigures(report, service, rounds, ".second-half", "records/s", Rates::secondHalf);
        addFigures(report, service, rounds, ".second-half.cpu-per-record", "µs", Rates::secondHalfCpuMicros);
        report.remark(String.format(Locale.ROOT, "%s drain: %,d input records (%s) per drain, %d rounds; per round "
                        + "(records/s over the whole drain, records/s and µs CPU per record over its second half): %s.",
                service, total, String.join(" + ", inputs), settings.rounds(), rounds.entrySet().stream()
                        .map(e -> e.getKey().figure + " " + e.getValue().stream()
                                .map(r -> String.format(Locale.ROOT, "%,.0f, %,.0f, %.1f", r.whole(), r.secondHalf(), r.secondHalfCpuMicros()))
                                .collect(Collectors.joining(" / ")))
                        .collect(Collectors.joining("; "))));
    }

    /** One measure's figures: every contestant's median, the service against each baseline. */
    private static void addFigures(BenchReport report, String service, Map<Contestant, List<Rates>> rounds, String span,
            String unit, ToDoubleFunction<Rates> measure) {
        Map<Contestant, Figure> figures = new LinkedHashMap<>();
        rounds.forEach((contestant, values) -> figures.put(contestant, Figure.of(service + ".drain." + contestant.figure + span,
                DrainTiming.median(values.stream().map(measure::applyAsDouble).toList()), unit)));
        Figure bytes = figures.get(Contestant.BYTES_PASSTHROUGH);
        Figure structural = figures.get(Contestant.STRUCTURAL_PASSTHROUGH);
        Figure textbook = figures.get(Contestant.TEXTBOOK);
        Figure own = figures.get(Contestant.SERVICE);
        report.add(bytes);
        report.add(structural.against(bytes));
        if (textbook != null) {
            report.add(textbook.against(bytes));
        }
        report.add(own.against(bytes));
        report.add(Figure.of(service + ".drain.service-vs-structural" + span, own.value(), own.unit()).against(structural));
        if (textbook != null) {
            report.add(Figure.of(service + ".drain.service-vs-textbook" + span, own.value(), own.unit()).against(textbook));
        }
    }

    /** A drain's records/s over the whole drain and over its second half, and its CPU per record there (see {@link DrainTiming}). */
    record Rates(double whole, double secondHalf, double secondHalfCpuMicros) {
    }

    /** One contestant's drain of the service's inputs from the start, in a JVM of its own. */
    private Rates drain(Mesh mesh, Admin admin, String service, Contestant contestant, int round, List<String> inputs, long total)
            throws Exception {
        String applicationId = "drain-" + service + "-" + contestant.figure + "-" + round;
        Path stateDir = runDir.resolve("state").resolve(applicationId);
        MeshProcess process = contestant == Contestant.SERVICE
                ? service(mesh, admin, service, applicationId, stateDir)
                : baseline(mesh, service, contestant, applicationId, stateDir);
        List<DrainTiming.Reading> readings = new ArrayList<>();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        process.start();
        try {
            while (true) {
                long committed = committed(admin, applicationId, inputs);
                readings.add(new DrainTiming.Reading(System.nanoTime(), committed, process.cpuNanos()));
                if (committed >= total) {
                    break;
                }
                if (!process.alive()) {
                    throw new IllegalStateException(applicationId + " exited before draining; see " + process.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationId + " did not drain " + total + " records within " + DRAIN_TIMEOUT
                            + " (committed " + committed + "); see " + process.log());
                }
                Thread.sleep(50);
            }
        } finally {
            process.stop(20);
            deleteRecursively(stateDir);
        }
        return new Rates(DrainTiming.throughput(readings, total), DrainTiming.secondHalfThroughput(readings, total),
                DrainTiming.secondHalfCpuMicrosPerRecord(readings, total));
    }

    private MeshProcess baseline(Mesh mesh, String service, Contestant contestant, String applicationId, Path stateDir)
            throws URISyntaxException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmFlags(applicationId));
        command.addAll(List.of("-cp", harnessClasspath(), DrainContestant.class.getName(),
                "--shape", DrainContestant.Shape.valueOf(contestant.name()).name(), "--service", service,
                "--application-id", applicationId, "--bootstrap-servers", mesh.bootstrapServers(),
                "--registry-url", mesh.registryUrl(), "--state-dir", stateDir.toString(),
                "--threads", Integer.toString(settings.threads()), "--commit-interval-ms", Long.toString(settings.commitIntervalMs())));
        return new MeshProcess(applicationId, command, Map.of(), runDir);
    }

    /** The packaged service with a fresh application id (its own dead-letter topic, created first). */
    private MeshProcess service(Mesh mesh, Admin admin, String service, String applicationId, Path stateDir) throws Exception {
        create(admin, Topics.deadLetter(applicationId, service.equals("safety-filter")));
        int port = Mesh.freePort();
        Map<String, String> env = new HashMap<>(mesh.serviceConnection(port, stateDir));
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", applicationId);
        env.put("KAFKA_STREAMS_NUM_STREAM_THREADS", Integer.toString(settings.threads()));
        env.put("KAFKA_STREAMS_COMMIT_INTERVAL_MS", Long.toString(settings.commitIntervalMs()));
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmFlags(applicationId));
        command.addAll(List.of("-jar", mesh.copyOfApp(service).toString()));
        return new MeshProcess(applicationId, command, env, runDir);
    }

    /** The contestants' JVM flags, {@code {contestant}} replaced by the application id (one JFR file per contestant, say). */
    private List<String> jvmFlags(String applicationId) {
        return settings.jvmFlags().stream().map(flag -> flag.replace("{contestant}", applicationId)).toList();
    }

    /** The harness jar and its lib/ (or, run from a build tree, this JVM's class path). */
    private static String harnessClasspath() throws URISyntaxException {
        Path location = Path.of(DrainContestant.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isRegularFile(location)
                ? location + File.pathSeparator + location.resolveSibling("lib").resolve("*")
                : System.getProperty("java.class.path");
    }

    private static long committed(Admin admin, String groupId, List<String> inputs) throws Exception {
        return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> inputs.contains(e.getKey().topic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().values().forEach(d ->
                d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        return admin.listOffsets(request).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static void create(Admin admin, TopicSpec<?> topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic.name(), topic.partitions(), (short) 1).configs(topic.topicConfigs()))).all().get();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }
}
