package io.flywheel.registry;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Apicurio Registry ({@link RegistryDistribution}) running as a child process on a Java 21+
 * runtime ({@link Java21}): it cannot run inside a Java 17 JVM. Storage is in memory unless the
 * properties say otherwise (e.g. {@link #kafkaStorage}). The child also ends when this JVM
 * disappears without running its shutdown hooks, so no registry is ever orphaned.
 */
public final class RegistryProcess implements AutoCloseable {

    private static final int ATTEMPTS = 3;
    private static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final int httpPort;
    private final ProcessBuilder.Redirect output;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RegistryProcess(Process process, int httpPort, ProcessBuilder.Redirect output) {
        this.process = process;
        this.httpPort = httpPort;
        this.output = output;
    }

    /** Properties that keep the schemas in Kafka (topic {@code kafkasql-journal}), so they outlive a restart. */
    public static Map<String, String> kafkaStorage(String bootstrapServers) {
        return Map.of("apicurio.storage.kind", "kafkasql", "apicurio.kafkasql.bootstrap.servers", bootstrapServers);
    }

    /**
     * Starts the registry on the given ports (HTTP API and management/health) and returns once it
     * reports ready.
     *
     * @param properties system properties of the registry (storage, for instance)
     * @param output     where its log goes: a file ({@code Redirect.appendTo}) or this process's output
     */
    public static RegistryProcess start(int httpPort, int managementPort, Map<String, String> properties,
                                        ProcessBuilder.Redirect output, Duration readyTimeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "/bin/sh", "-c", WATCHDOG, "registry-watchdog", Long.toString(ProcessHandle.current().pid()),
                Java21.executable().toString()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of(
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort));
        new TreeMap<>(properties).forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", RegistryDistribution.home().resolve("quarkus-run.jar").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
        Optional.ofNullable(output.file()).map(File::getParentFile).ifPresent(builder::directory);
        RegistryProcess registry = new RegistryProcess(builder.start(), httpPort, output);
        try {
            registry.awaitReady(managementPort, readyTimeout);
            return registry;
        } catch (IllegalStateException | InterruptedException e) {
            registry.close();
            throw e;
        }
    }

    /** Starts an in-memory registry on free ports, logging to {@code logDir/apicurio-registry-<port>.log}. */
    public static RegistryProcess startOnFreePorts(Path logDir, Duration readyTimeout) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        IllegalStateException failure = null;
        // Free ports are only free until someone takes them: retry with fresh ones on a clash.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int httpPort = freePort();
            Path log = logDir.resolve("apicurio-registry-" + httpPort + ".log");
            try {
                return start(httpPort, freePort(), Map.of(), ProcessBuilder.Redirect.appendTo(log.toFile()), readyTimeout);
            } catch (IllegalStateException e) {
                failure = e;
                if (!e.getMessage().contains("already in use")) {
                    break;
                }
            }
        }
        throw failure;
    }

    /**
     * Runs the registry under a shell that also ends it when the parent JVM disappears without
     * running its shutdown hooks (a test fork killed by a timeout, a SIGKILLed launcher).
     */
    private static final String WATCHDOG = """
            parent=$1; shift
            "$@" &
            child=$!
            trap 'kill $child 2>/dev/null; wait $child; exit 143' TERM INT HUP
            while kill -0 "$parent" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done
            kill $child 2>/dev/null
            wait $child
            """;

    /** Base URL of the v3 REST API, what the serdes take as {@code apicurio.registry.url}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + httpPort + "/apis/registry/v3";
    }

    /** The log file, when the output goes to one. */
    public Optional<Path> log() {
        return Optional.ofNullable(output.file()).map(File::toPath);
    }

    /** Waits until the registry exits; its exit status. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    private void awaitReady(int managementPort, Duration timeout) throws InterruptedException {
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue()
                        + " before it was ready" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Apicurio Registry not ready after " + timeout + logTail());
    }

    private String logTail() {
        Optional<Path> log = log();
        if (log.isEmpty()) {
            return " (its output is above)";
        }
        try {
            List<String> lines = Files.readAllLines(log.get(), StandardCharsets.UTF_8);
            return "; log " + log.get() + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "; no log at " + log.get() + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
