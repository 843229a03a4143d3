package io.flywheel.verification.mesh;

import io.flywheel.registry.Java21;
import io.flywheel.verification.workload.SeededContent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The whole mesh as separate processes on free ports: one KRaft broker, an Apicurio Registry with
 * Kafka-backed storage (a broker restart loses no schema), the topics and registry rule from the
 * CLI, and two instances of every service from their packaged jars.
 *
 * <p>Longer than most classes here: starting, killing and restarting every process of the mesh
 * shares ports, directories and readiness waits that read best in one class.
 */
public final class Mesh implements AutoCloseable {

    public static final List<String> SERVICES = List.of("safety-filter", "feedback-aggregator", "eval-sampler");

    /** One service instance: its process and its port (HTTP, gRPC and application server). */
    public record Instance(String service, int index, int port, MeshProcess process) {
        public String label() {
            return service + "#" + index;
        }
    }

    private final Path repo;
    private final Path runDir;
    private final Map<String, String> serviceSettings;
    private final List<String> serviceJvm;
    private final int instancesPerService;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final int kafkaPort;
    private final int controllerPort;
    private final int registryPort;
    private final int registryManagementPort;
    private MeshProcess broker;
    private MeshProcess registry;
    private final List<Instance> instances = new ArrayList<>();

    /**
     * @param repo            the repository root (service jars, the CLI, the broker jars)
     * @param runDir          where logs, broker data and state go
     * @param serviceSettings environment of every service instance beyond the connection settings
     */
    public Mesh(Path repo, Path runDir, Map<String, String> serviceSettings) throws IOException {
        // C1 only: restarts under chaos dominate, and six JVMs compiling with C2 starve two cores.
        this(repo, runDir, serviceSettings, List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), 2);
    }

    /**
     * @param serviceJvm          JVM options of every service instance (heap, GC, compiler)
     * @param instancesPerService how many instances of each service {@link #start()} runs
     */
    public Mesh(Path repo, Path runDir, Map<String, String> serviceSettings, List<String> serviceJvm, int instancesPerService)
            throws IOException {
        this.repo = repo.toAbsolutePath();
        this.runDir = runDir.toAbsolutePath();
        this.serviceSettings = Map.copyOf(serviceSettings);
        this.serviceJvm = List.copyOf(serviceJvm);
        this.instancesPerService = instancesPerService;
        this.kafkaPort = freePort();
        this.controllerPort = freePort();
        this.registryPort = freePort();
        this.registryManagementPort = freePort();
        // ^C or a killed test JVM must not leave a broker and six services behind.
        Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "mesh-cleanup"));
    }

    private void killAll() {
        List<MeshProcess> all = new ArrayList<>();
        instances.forEach(i -> all.add(i.process()));
        all.add(registry);
        all.add(broker);
        for (MeshProcess process : all) {
            try {
                if (process != null) {
                    process.kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String registryUrl() {
        return "http://127.0.0.1:" + registryPort + "/apis/registry/v3";
    }

    public MeshProcess broker() {
        return broker;
    }

    public List<Instance> instances() {
        return List.copyOf(instances);
    }

    /** Checks that everything the mesh runs has been built, and says how to build what is missing. */
    public void requireBuilt() throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String service : SERVICES) {
            if (!Files.isRegularFile(serviceJar(service))) {
                missing.add(repo.relativize(serviceJar(service)).toString());
            }
        }
        if (!Files.isRegularFile(toolsJar())) {
            missing.add(repo.relativize(toolsJar()).toString());
        }
        if (!Files.isRegularFile(registryJar())) {
            missing.add(repo.relativize(registryJar()).toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("not built: " + missing + "; run ./mvnw -B package -DskipTests first");
        }
        if (!Files.isDirectory(brokerLib())) {
            // The same broker jars the local launcher runs.
            MeshProcess fetch = new MeshProcess("fetch-broker-lib", List.of(repo.resolve("mvnw").toString(), "-q", "-B", "-f",
                    repo.resolve("tools/local-stack/pom.xml").toString(), "package"), Map.of(), runDir);
            if (fetch.runToCompletion(900) != 0) {
                throw new IllegalStateException("could not fetch the broker jars; see " + fetch.log());
            }
        }
    }

    private Path serviceJar(String service) {
        return repo.resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** A copy of the packaged app in the run directory: a rebuild during the run cannot pull it from under an instance. */
    public Path copyOfApp(String service) throws IOException {
        Path source = serviceJar(service).getParent();
        Path target = runDir.resolve("apps").resolve(service);
        if (!Files.exists(target)) {
            try (var paths = Files.walk(source)) {
                for (Path path : (Iterable<Path>) paths::iterator) {
                    Path copy = target.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(path, copy);
                    }
                }
            }
        }
        return target.resolve("quarkus-run.jar");
    }

    private Path toolsJar() {
        return repo.resolve("tools/target/flywheel-tools.jar");
    }

    private Path brokerLib() {
        return repo.resolve("tools/target/broker-lib");
    }

    private Path registryJar() {
        return repo.resolve("verification/target/apicurio-registry/quarkus-run.jar");
    }

    public void start() throws IOException, InterruptedException {
        startInfrastructure();
        for (String service : SERVICES) {
            for (int i = 0; i < instancesPerService; i++) {
                startInstance(service, i);
            }
        }
        for (Instance instance : instances) {
            awaitReady(instance, Duration.ofMinutes(4));
        }
    }

    /** The broker, the registry, the topics, the registry rule and the run's policy: everything but the services. */
    public void startInfrastructure() throws IOException, InterruptedException {
        startBroker();
        startRegistry();
        cli("topics", "topics", "create", "--bootstrap-servers", bootstrapServers());
        cli("registry-init", "registry", "init", "--registry-url", registryUrl());
        applyRunPolicy();
    }

    private void startBroker() throws IOException, InterruptedException {
        Path dir = runDir.resolve("kafka");
        if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            // Formatting would fail on the earlier broker's cluster id, and its data would mix with this run's.
            throw new IllegalStateException(runDir.toAbsolutePath() + " holds an earlier run's broker data: give the run"
                    + " an empty directory (--out, --work) or delete this one");
        }
        Files.createDirectories(dir.resolve("data"));
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + kafkaPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort, "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT", "inter.broker.listener.name=PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort, "log.dirs=" + dir.resolve("data"),
                "num.partitions=1", "default.replication.factor=1", "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=false", ""));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n", "status = warn", "appender.out.type = Console", "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout", "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = warn", "rootLogger.appenderRef.out.ref = OUT", ""));
        List<String> jvm = List.of(java, "-Xms256m", "-Xmx768m", "-Dlog4j2.configurationFile=" + log4j, "-cp", brokerLib() + "/*");
        List<String> format = new ArrayList<>(jvm);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString(), "--standalone"));
        if (new MeshProcess("kafka-format", format, Map.of(), runDir).runToCompletion(120) != 0) {
            throw new IllegalStateException("formatting the broker's storage failed; see " + runDir.resolve("kafka-format.log"));
        }
        List<String> run = new ArrayList<>(jvm);
        run.addAll(List.of("kafka.Kafka", properties.toString()));
        broker = new MeshProcess("kafka", run, Map.of(), runDir);
        broker.start();
        awaitBroker(Duration.ofMinutes(5));
    }

    /** Waits until the broker accepts connections again (after a start or a restart). */
    public void awaitBroker(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!broker.alive()) {
                throw new IllegalStateException("the broker exited; see " + broker.log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", kafkaPort), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not listen within " + timeout + "; see " + broker.log());
    }

    private void startRegistry() throws IOException, InterruptedException {
        registry = new MeshProcess("registry", List.of(Java21.executable().toString(), "-Xms64m", "-Xmx512m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + registryPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + registryManagementPort,
                "-Dapicurio.storage.kind=kafkasql", "-Dapicurio.kafkasql.bootstrap.servers=" + bootstrapServers(),
                "-jar", registryJar().toString()), Map.of(), runDir);
        registry.start();
        awaitHttp(registry, URI.create("http://127.0.0.1:" + registryManagementPort + "/health/ready"), Duration.ofMinutes(3));
    }

    /** The run's own keyword policy ({@link SeededContent#RUN_POLICY_ID}), written before any service starts. */
    private void applyRunPolicy() throws IOException, InterruptedException {
        Path pack = runDir.resolve("run-policy.yaml");
        Files.writeString(pack, String.join("\n", "policies:",
                "  - id: " + SeededContent.RUN_POLICY_ID, "    revision: 1", "    enabled: true",
                "    category: " + SeededContent.RUN_POLICY_CATEGORY, "    target: BOTH",
                "    keywords: [" + SeededContent.RUN_POLICY_KEYWORD + "]", "    action: BLOCK", "    severity: 9", ""));
        cli("run-policy", "policies", "apply", "--bootstrap-servers", bootstrapServers(), "--registry-url", registryUrl(),
                "--file", pack.toString());
    }

    /** Stops the registry (SIGTERM): the services and the generator go on with what they have cached. */
    public void stopRegistry() throws InterruptedException {
        registry.stop(20);
    }

    /** Starts the registry again and waits until it answers ready (its storage is the broker: nothing is lost). */
    public void startRegistry(Duration timeout) throws IOException, InterruptedException {
        registry.start();
        awaitHttp(registry, URI.create("http://127.0.0.1:" + registryManagementPort + "/health/ready"), timeout);
    }

    private void cli(String name, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java, "-jar", toolsJar().toString()));
        command.addAll(List.of(arguments));
        if (new MeshProcess(name, command, Map.of(), runDir).runToCompletion(180) != 0) {
            throw new IllegalStateException("flywheel-tools " + String.join(" ", arguments) + " failed; see " + runDir.resolve(name + ".log"));
        }
    }

    /** The environment that connects a service instance to this mesh: broker, registry, its port and state directory. */
    public Map<String, String> serviceConnection(int port, Path stateDir) {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers(), "FLYWHEEL_REGISTRY_URL", registryUrl(),
                "QUARKUS_HTTP_PORT", Integer.toString(port), "QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", "127.0.0.1:" + port,
                "KAFKA_STREAMS_STATE_DIR", stateDir.toString());
    }

    /** Spawns one instance of a service (not waiting for it to be ready) and adds it to the mesh. */
    public Instance startInstance(String service, int index) throws IOException {
        int port = freePort();
        String label = service + "-" + index;
        Map<String, String> env = new HashMap<>(serviceSettings);
        env.putAll(serviceConnection(port, runDir.resolve("state").resolve(label)));
        // A killed member is noticed within seconds, not the default 45 s.
        env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "10000");
        env.put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(serviceJvm);
        command.addAll(List.of("-jar", copyOfApp(service).toString()));
        MeshProcess process = new MeshProcess(label, command, env, runDir);
        process.start();
        Instance instance = new Instance(service, index, port, process);
        instances.add(instance);
        return instance;
    }

    /** Services none of whose instances is alive and live (Kafka Streams not in ERROR), as text; empty when all are. */
    public String failedServices() {
        StringBuilder failed = new StringBuilder();
        for (String service : SERVICES) {
            boolean live = instances.stream().filter(i -> i.service().equals(service)).anyMatch(i -> answers(i, "/q/health/live"));
            if (!live) {
                failed.append(service).append(' ');
            }
        }
        return failed.toString().trim();
    }

    /** The HTTP status of the liveness check, or -1 when the instance does not answer (starting, dead). */
    public int liveness(Instance instance) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/q/health/live"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private boolean answers(Instance instance, String path) {
        try {
            return instance.process().alive() && http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port()
                    + path)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether the instance answers ready now (Kafka Streams has reached RUNNING and not failed). */
    public boolean isReady(Instance instance) {
        return answers(instance, "/q/health/ready");
    }

    public void awaitReady(Instance instance, Duration timeout) throws InterruptedException {
        awaitHttp(instance.process(), URI.create("http://127.0.0.1:" + instance.port() + "/q/health/ready"), timeout);
    }

    private void awaitHttp(MeshProcess process, URI uri, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException(process.name() + " exited while starting; see " + process.log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException(process.name() + " not ready within " + timeout + "; see " + process.log());
    }

    @Override
    public void close() throws InterruptedException {
        for (Instance instance : instances) {
            instance.process().stop(20);
        }
        if (registry != null) {
            registry.stop(20);
        }
        if (broker != null) {
            broker.stop(30);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
