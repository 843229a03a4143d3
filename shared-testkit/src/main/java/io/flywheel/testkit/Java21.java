package io.flywheel.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a Java 21+ runtime for the registry (it fails on 17): env {@code FLYWHEEL_JAVA21_HOME},
 * then {@code JAVA_HOME} if it is 21+, then this JVM if it is 21+, then {@code /usr/lib/jvm/*}.
 * The launcher script {@code tools/flywheel-local} applies the same order.
 */
public final class Java21 {

    static final int MINIMUM = 21;
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"?(\\d+)", Pattern.MULTILINE);

    public static Path executable() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getenv("FLYWHEEL_JAVA21_HOME");
        if (explicit != null && !explicit.isBlank()) {
            Path home = Path.of(explicit);
            if (featureVersion(home).orElse(0) >= MINIMUM) {
                return java(home);
            }
            throw new IllegalStateException("FLYWHEEL_JAVA21_HOME=" + explicit
                    + " is not a Java " + MINIMUM + "+ installation (no bin/java, or 'release' says otherwise)");
        }
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home")));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
                List<Path> sorted = new ArrayList<>();
                dirs.forEach(sorted::add);
                sorted.sort(null);
                candidates.addAll(sorted);
            } catch (IOException e) {
                tried.add(jvms + " (" + e.getMessage() + ")");
            }
        }
        for (Path home : candidates) {
            Optional<Integer> version = featureVersion(home);
            if (version.orElse(0) >= MINIMUM) {
                return java(home);
            }
            tried.add(home + version.map(v -> " (Java " + v + ")").orElse(" (no release file)"));
        }
        throw new IllegalStateException("The Apicurio Registry needs Java " + MINIMUM + " or newer, and none was found. "
                + "Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or a Temurin 21/25 JDK) or point "
                + "FLYWHEEL_JAVA21_HOME at it. Looked at: " + tried);
    }

    /** The feature version in {@code <home>/release}, if home holds a runnable Java. */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(java(home))) {
            return Optional.empty();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            if (!m.find()) {
                return Optional.empty();
            }
            int major = Integer.parseInt(m.group(1));
            // Java 8 and older say "1.8.0_x".
            return Optional.of(major == 1 ? 8 : major);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Path java(Path home) {
        return home.resolve("bin").resolve("java");
    }

    private Java21() {
    }
}
