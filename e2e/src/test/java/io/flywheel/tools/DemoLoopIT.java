package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.testkit.FlywheelTestStack;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * The demo's traffic through the three packaged services (child processes with the demo settings
 * of {@code demo.env}) on the real broker and registry: within three minutes the degrading key
 * raises a drift alert, its stratum's DRIFT samples rise, and negative feedback pulls completions
 * into the sample. Then the query command asks the same services.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoLoopIT {

    private static final List<String> SERVICES = List.of("feedback-aggregator", "safety-filter", "eval-sampler");
    private static final Duration LOOP_DEADLINE = Duration.ofMinutes(3);

    private static final FlywheelTestStack STACK = FlywheelTestStack.shared();
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
    private static final List<Process> PROCESSES = new ArrayList<>();
    private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

    @BeforeAll
    static void startServices() throws Exception {
        assertEquals(0, FlywheelTools.commandLine().execute("topics", "create", "--bootstrap-servers", STACK.bootstrapServers()));
        Map<String, String> demoSettings = demoSettings();
        for (String service : SERVICES) {
            int port = freePort();
            PORTS.put(service, port);
            PROCESSES.add(start(service, port, demoSettings));
        }
        for (String service : SERVICES) {
            awaitReady(service, PORTS.get(service), Duration.ofMinutes(3));
        }
    }

    @AfterAll
    static void stopServices() {
        CHANNELS.forEach(ManagedChannel::shutdownNow);
        PROCESSES.forEach(process -> {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    @Order(1)
    void theLoopClosesWithinThreeMinutes() throws Exception {
        ManagedChannel aggregator = channel("feedback-aggregator");
        ManagedChannel sampler = channel("eval-sampler");
        MeshSnapshot.Channels mesh = new MeshSnapshot.Channels(aggregator, channel("safety-filter"), sampler, 5_000);
        var stats = FeedbackQueryServiceGrpc.newBlockingStub(aggregator);
        var strata = SamplerQueryServiceGrpc.newBlockingStub(sampler);

        Instant start = Instant.now();
        DemoTraffic traffic = new DemoTraffic(42, start, new DemoTraffic.Degradation(Duration.ofSeconds(30), Duration.ofSeconds(10), 0.1));
        DemoTraffic.DemoKey degrading = traffic.degradingKey();
        ModelKey key = ModelKey.newBuilder().setModelName(degrading.model()).setModelVersion(degrading.version())
                .setPromptVersion(degrading.prompt()).build();
        String stratum = URLEncoder.encode(degrading.model(), StandardCharsets.UTF_8);
        DemoView view = new DemoView(start, degrading.label(), stratum, "demo traffic in a test");

        DriftAlert firing = null;
        long firstDriftSamples = 0;
        long driftSamples = 0;
        long negativeFeedbackSamples = 0;
        List<String> frame = List.of();
        try (TopicTally tally = new TopicTally(kafkaConfig(), STACK.serdes(), List.of(io.flywheel.model.Topics.SAFETY_VERDICTS));
             DemoDriver driver = new DemoDriver(kafkaConfig(), STACK.serdes(), traffic, 40).start()) {
            Instant deadline = start.plus(LOOP_DEADLINE);
            while (Instant.now().isBefore(deadline) && (firing == null || driftSamples <= firstDriftSamples || negativeFeedbackSamples == 0)) {
                Thread.sleep(2_000);
                assertEquals(null, driver.failure(), "the demo traffic could not be sent");
                frame = view.frame(MeshSnapshot.take(mesh, tally, Instant.now()), driver.state(Instant.now()));
                GetStatsResponse answer = answered(() -> stats.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getStats(GetStatsRequest.newBuilder().setKey(key).build()));
                if (firing == null && answer != null && answer.hasLastAlert() && answer.getLastAlert().getState() == DriftAlert.State.FIRING) {
                    firing = answer.getLastAlert();
                }
                StratumStats drift = answered(() -> strata.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(stratum).build()).getStats());
                if (drift != null) {
                    driftSamples = drift.getSampledByReasonOrDefault("DRIFT", 0);
                    if (firstDriftSamples == 0) {
                        firstDriftSamples = driftSamples;
                    }
                }
                List<StratumStats> all = answered(() -> strata.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .listStrata(ListStrataRequest.getDefaultInstance()).getStrataList());
                if (all != null) {
                    negativeFeedbackSamples = all.stream().mapToLong(s -> s.getSampledByReasonOrDefault("NEGATIVE_FEEDBACK", 0)).sum();
                }
            }
        }
        String seen = "after " + Duration.between(start, Instant.now()).toSeconds() + " s; last frame:\n" + String.join("\n", frame);
        assertTrue(firing != null, "no drift alert on " + degrading.label() + " " + seen);
        assertTrue(firing.getZScore() <= -3.0 && firing.getBucketApproval() < firing.getBaselineApproval(), firing.toString());
        assertTrue(firstDriftSamples > 0 && driftSamples > firstDriftSamples,
                "DRIFT samples of " + stratum + " did not rise: " + firstDriftSamples + " then " + driftSamples + " " + seen);
        assertTrue(negativeFeedbackSamples > 0, "no NEGATIVE_FEEDBACK samples " + seen);
        assertTrue(view.alertAt().isPresent() && view.negativeFeedbackAt().isPresent(), "the view saw the loop close too:\n" + String.join("\n", frame));
    }

    @Test
    @Order(2)
    void theQueryCommandAnswersFromTheServicesAndExplainsRefusals() {
        String aggregator = "127.0.0.1:" + PORTS.get("feedback-aggregator");
        String sampler = "127.0.0.1:" + PORTS.get("eval-sampler");
        String safety = "127.0.0.1:" + PORTS.get("safety-filter");

        String[] keys = run(0, "query", "keys", "--aggregator", aggregator);
        assertTrue(keys[0].startsWith("MODEL KEY") && keys[0].contains("mistral-large/2411/search-v12"), keys[0]);
        String[] all = run(0, "query", "stats", "--all", "--aggregator", aggregator);
        assertTrue(all[0].contains("answers by serving instance: {127.0.0.1:" + PORTS.get("feedback-aggregator") + "="), all[0]);
        String[] one = run(0, "query", "stats", "mistral-large", "2411", "search-v12", "--aggregator", aggregator);
        assertTrue(one[0].contains("served by 127.0.0.1:" + PORTS.get("feedback-aggregator") + " (ACTIVE") && one[0].contains("all-time"), one[0]);
        String[] json = run(0, "query", "top", "-k", "3", "--json", "--aggregator", aggregator);
        assertTrue(json[0].startsWith("{\"keys\":["), json[0]);
        String[] strata = run(0, "query", "strata", "--feedback", "--sampler", sampler);
        assertTrue(strata[0].contains("mistral-large") && strata[0].contains("negative feedback"), strata[0]);
        String[] policies = run(0, "query", "policy-set", "--safety", safety);
        assertTrue(policies[0].contains("default.private-key") && policies[0].contains("BLOCK"), policies[0]);
        String[] risk = run(0, "query", "escalations", "--safety", safety);
        assertTrue(risk[0].contains("user-risky-"), "the demo's risky users are escalated: " + risk[0]);

        String[] invalid = run(QueryCommand.REFUSED, "query", "stats", "", "2411", "search-v12", "--aggregator", aggregator);
        assertTrue(invalid[1].startsWith("error: INVALID_ARGUMENT from " + aggregator), invalid[1]);
        String[] unknown = run(QueryCommand.REFUSED, "query", "stats", "no-such-model", "1", "p", "--aggregator", aggregator);
        assertTrue(unknown[1].startsWith("error: NOT_FOUND from " + aggregator), unknown[1]);
    }

    private static String[] run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FlywheelTools.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertEquals(expectedExit, exit, String.join(" ", args) + "\nout: " + out + "\nerr: " + err);
        return new String[] {out.toString(), err.toString()};
    }

    /** The answer, or null while the service is (re)starting or does not know the key yet. */
    private static <T> T answered(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static Map<String, Object> kafkaConfig() {
        return Map.of("bootstrap.servers", STACK.bootstrapServers());
    }

    private static ManagedChannel channel(String service) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", PORTS.get(service)).usePlaintext().build();
        CHANNELS.add(channel);
        return channel;
    }

    /** The service settings of tools/flywheel-local demo, from the same file. */
    private static Map<String, String> demoSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("..", "tools", "demo.env"))) {
            if (line.matches("[A-Z0-9_]+=.*")) {
                settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        assertTrue(settings.containsKey("FLYWHEEL_AGGREGATOR_BUCKET_WIDTH"), settings.toString());
        return settings;
    }

    private static Process start(String service, int port, Map<String, String> settings) throws IOException {
        Path jar = Path.of("..", "services", service, "target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath().normalize() + " is missing: package the services before the end-to-end tests");
        }
        Path state = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "demo-" + service + "-state");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-jar",
                jar.toString());
        builder.environment().putAll(settings);
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", STACK.bootstrapServers());
        builder.environment().put("FLYWHEEL_REGISTRY_URL", STACK.registryUrl());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", "127.0.0.1:" + port);
        builder.environment().put("KAFKA_STREAMS_STATE_DIR", state.toAbsolutePath().toString());
        // Streams' 10 s default: on a starved machine a commit waiting out CONCURRENT_TRANSACTIONS outlives it and the client dies.
        builder.environment().put("KAFKA_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "60000");
        return builder.redirectErrorStream(true).redirectOutput(Path.of("target", "demo-" + service + ".log").toFile()).start();
    }

    private static void awaitReady(String service, int port, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        Process process = PROCESSES.get(SERVICES.indexOf(service));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(service + " exited with " + process.exitValue() + "; see target/demo-" + service + ".log");
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError(service + " not ready within " + timeout + "; see target/demo-" + service + ".log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
