package io.flywheel.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second instance of the service under test, as its own process from the packaged jar, on the
 * shared broker and registry: with the {@code @QuarkusTest} instance it forms a two-member
 * Streams group. It can be hard-killed (SIGKILL) to test standbys and takeover.
 */
public final class SecondInstance implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private SecondInstance(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code target/quarkus-app/quarkus-run.jar} of the module under test.
     *
     * @param settings extra environment, e.g. the test profile's settings the packaged jar lacks
     */
    public static SecondInstance start(FlywheelTestStack stack, Map<String, String> settings) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the integration tests after `package`");
        }
        int port = freePort();
        Path state = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "second-instance-state");
        Path log = Path.of("target", "second-instance-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString());
        builder.environment().putAll(settings);
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        builder.environment().put("FLYWHEEL_REGISTRY_URL", stack.registryUrl());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", "localhost:" + port);
        builder.environment().put("KAFKA_STREAMS_STATE_DIR", state.toAbsolutePath().toString());
        // A killed member is noticed within seconds, not the default 45 s.
        builder.environment().put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "10000");
        builder.environment().put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
        return new SecondInstance(builder.redirectErrorStream(true).redirectOutput(log.toFile()).start(), port, log);
    }

    public int port() {
        return port;
    }

    /** host:port as the instance names itself in answers ({@code served_by}). */
    public String address() {
        return "localhost:" + port;
    }

    /** Waits for readiness: RUNNING reached (shared-runtime's health check). */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the second instance exited with " + process.exitValue() + "; see " + log);
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
        throw new AssertionError("the second instance was not ready within " + timeout + "; see " + log);
    }

    /** SIGKILL: no shutdown hook, no leaving the group. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
