package io.flywheel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (the {@code apicurio-registry-app} distribution from the local Maven
 * repository) running as a child process with in-memory storage on free ports. It needs Java 21+,
 * so it cannot run inside a Java 17 test JVM.
 */
final class RegistryServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final int httpPort;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RegistryServer(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Base URL of the v3 REST API, what the serdes take as {@code apicurio.registry.url}. */
    String apiUrl() {
        return "http://127.0.0.1:" + httpPort + "/apis/registry/v3";
    }

    Path log() {
        return log;
    }

    static RegistryServer start(Path logDir) throws IOException, InterruptedException {
        Path home = distribution();
        Path java = Java21.executable();
        Files.createDirectories(logDir);
        IllegalStateException failure = null;
        // Free ports are only free until someone takes them: retry with fresh ones on a clash.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int httpPort = freePort();
            int managementPort = freePort();
            Path log = logDir.resolve("apicurio-registry-" + httpPort + ".log");
            List<String> command = new ArrayList<>(List.of(
                    "/bin/sh", "-c", WATCHDOG, "registry-watchdog", Long.toString(ProcessHandle.current().pid()),
                    java.toString(),
                    "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + httpPort,
                    "-Dquarkus.management.host=127.0.0.1",
                    "-Dquarkus.management.port=" + managementPort,
                    "-jar", home.resolve("quarkus-run.jar").toString()));
            Process process = new ProcessBuilder(command)
                    .directory(logDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            RegistryServer server = new RegistryServer(process, httpPort, log);
            try {
                server.awaitReady(managementPort);
                return server;
            } catch (IllegalStateException e) {
                server.close();
                failure = e;
                if (!server.logTail().contains("already in use")) {
                    break;
                }
            }
        }
        throw failure;
    }

    /**
     * Runs the registry under a shell that also ends it when the test JVM disappears without
     * running its shutdown hooks (a fork killed by a timeout): no orphaned registries.
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

    private void awaitReady(int managementPort) throws InterruptedException {
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue()
                        + " before it was ready; log " + log + ":\n" + logTail());
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
        throw new IllegalStateException("Apicurio Registry not ready after " + READY_TIMEOUT + "; log " + log + ":\n" + logTail());
    }

    /** Sets the registry-wide compatibility rule (creates it, or updates it if it exists). */
    void setGlobalCompatibility(String level) throws IOException, InterruptedException {
        String body = "{\"ruleType\":\"COMPATIBILITY\",\"config\":\"" + level + "\"}";
        HttpResponse<String> created = http.send(json(URI.create(apiUrl() + "/admin/rules")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() == 409) {
            HttpResponse<String> updated = http.send(json(URI.create(apiUrl() + "/admin/rules/COMPATIBILITY"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            requireSuccess(updated);
        } else {
            requireSuccess(created);
        }
    }

    private static HttpRequest.Builder json(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json");
    }

    private static void requireSuccess(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + " -> "
                    + response.statusCode() + " " + response.body());
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    // ---- the distribution: from the local Maven repository, unpacked once into a cache ----

    static String version() {
        Properties props = new Properties();
        try (InputStream in = RegistryServer.class.getResourceAsStream("/io/flywheel/testkit/versions.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("shared-testkit is missing versions.properties", e);
        }
        return props.getProperty("apicurio.registry.app.version");
    }

    /** The unpacked distribution (with {@code quarkus-run.jar}), unpacking it on first use. */
    static Path distribution() throws IOException, InterruptedException {
        String version = version();
        Path cacheRoot = Path.of(System.getProperty("flywheel.cache.dir",
                Path.of(System.getProperty("user.home"), ".cache", "flywheel").toString()));
        Path home = cacheRoot.resolve("apicurio-registry-" + version);
        if (Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            return home;
        }
        Path repo = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path archive = repo.resolve(Path.of("io", "apicurio", "apicurio-registry-app", version,
                "apicurio-registry-app-" + version + "-all.tar.gz"));
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("Apicurio Registry distribution not found at " + archive
                    + ". It is a dependency of shared-testkit; build that module with Maven (or run "
                    + "'./mvnw dependency:get -Dartifact=io.apicurio:apicurio-registry-app:" + version
                    + ":tar.gz:all -Dtransitive=false').");
        }
        Files.createDirectories(cacheRoot);
        // Unpack beside the target and rename: concurrent test JVMs never see half a distribution.
        Path partial = Files.createTempDirectory(cacheRoot, home.getFileName() + ".partial-");
        try {
            Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", partial.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0 || !Files.isRegularFile(partial.resolve("quarkus-run.jar"))) {
                throw new IllegalStateException("could not unpack " + archive + ": " + output);
            }
            try {
                Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
                    throw e;
                }
                // another JVM unpacked it first
            }
        } finally {
            deleteRecursively(partial);
        }
        return home;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
