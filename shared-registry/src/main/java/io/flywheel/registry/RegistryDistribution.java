package io.flywheel.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The Apicurio Registry server ({@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}),
 * taken from the local Maven repository and unpacked once into a cache shared by every test JVM
 * and the local stack: {@code -Dflywheel.cache.dir}, else {@code $XDG_CACHE_HOME/flywheel}, else
 * {@code ~/.cache/flywheel}.
 */
public final class RegistryDistribution {

    private RegistryDistribution() {
    }

    /** The registry version this build fetches (the parent pom's {@code apicurio.registry.app.version}). */
    public static String version() {
        Properties props = new Properties();
        try (InputStream in = RegistryDistribution.class.getResourceAsStream("versions.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("shared-registry is missing versions.properties", e);
        }
        return props.getProperty("apicurio.registry.app.version");
    }

    /** The unpacked distribution (with {@code quarkus-run.jar}), unpacking it on first use. */
    public static Path home() throws IOException, InterruptedException {
        String version = version();
        Path cacheRoot = cacheRoot();
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
                    + ". Maven fetches it for shared-testkit and tools/local-stack/pom.xml; or run "
                    + "'./mvnw dependency:get -Dartifact=io.apicurio:apicurio-registry-app:" + version
                    + ":tar.gz:all -Dtransitive=false' (with -Dmaven.repo.local=... if Maven uses another local repository).");
        }
        Files.createDirectories(cacheRoot);
        // Unpack beside the target and rename: concurrent users never see half a distribution.
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
                // another process unpacked it first
            }
        } finally {
            deleteRecursively(partial);
        }
        return home;
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("flywheel.cache.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        return Optional.ofNullable(System.getenv("XDG_CACHE_HOME")).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("flywheel");
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
}
