package io.flywheel.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A Flywheel service module (a folder whose application.properties names a {@code quarkus.application.name}): the
 * images built from its src/main/docker and the configuration keys it reads.
 */
record ServiceModule(String name, Path directory) {

    private static final Map<String, ServiceConfiguration> CONFIGURATIONS = new ConcurrentHashMap<>();

    /** Every service module under services/. */
    static List<ServiceModule> all() {
        try (Stream<Path> folders = Files.list(Checks.ROOT.resolve("services"))) {
            return folders.sorted().map(ServiceModule::of).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The service module in this folder, if it is one. */
    static Optional<ServiceModule> of(Path directory) {
        Path properties = directory.resolve("src/main/resources/application.properties");
        if (!Files.exists(properties)) {
            return Optional.empty();
        }
        Properties declared = new Properties();
        try (Reader reader = Files.newBufferedReader(properties)) {
            declared.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.ofNullable(declared.getProperty("quarkus.application.name")).map(name -> new ServiceModule(name, directory));
    }

    ServiceConfiguration configuration() {
        return CONFIGURATIONS.computeIfAbsent(name, ServiceConfiguration::of);
    }

    /** Every image the module builds: one per Dockerfile* in src/main/docker (JVM and native). */
    List<ImageRecipe> images() {
        return ImageRecipe.beside(directory.resolve("src/main/docker/Dockerfile.jvm"));
    }
}
