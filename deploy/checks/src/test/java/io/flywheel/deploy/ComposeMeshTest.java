package io.flywheel.deploy;

import static io.flywheel.deploy.Checks.assertNone;

import io.flywheel.deploy.ComposeFile.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and the Dockerfiles it builds, checked against what a container start depends on. No
 * container runtime runs here, so each check reads the files the way the runtime, the images and the services
 * would: a Dockerfile's folders and users, the broker image's own environment handling, Quarkus's mapping of
 * environment variables to the keys a service declares.
 */
class ComposeMeshTest {

    private static final Path ROOT = Checks.ROOT;
    private static final ComposeFile COMPOSE = ComposeFile.load(ROOT.resolve("docker-compose.yml"));
    private static final Set<String> SHELL_BUILTINS = Set.of("exec", "exit", "test", "[", "echo", "printf", "read", "true", "false");

    @Test
    void everyMountedPathIsAFolderOfTheImageOwnedByTheUserItRunsAs() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            for (ImageRecipe image : images(service)) {
                for (String target : service.mounts().keySet()) {
                    String owner = image.folderOwners.get(target);
                    if (image.userId == null) {
                        problems.add(where(service, image) + "mounts " + target + ", but BaseImage does not say which user the image runs as");
                    } else if (owner == null) {
                        problems.add(where(service, image) + target + " is not created in the image: a new volume there belongs to root,"
                                + " and uid " + image.userId + " cannot write it");
                    } else if (!owner.equals(image.userId)) {
                        problems.add(where(service, image) + target + " belongs to uid " + owner + ", the image runs as uid " + image.userId);
                    }
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void everyDockerfileCreatesOnlyWhatItsUserMay() {
        assertNone(COMPOSE.services.stream().flatMap(service -> images(service).stream()
                .flatMap(image -> image.buildFailures.stream().map(failure -> where(service, image) + "docker build stops: " + failure)))
                .distinct().toList());
    }

    @Test
    void everyDataDirectoryIsInsideAMountedVolume() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            for (ImageRecipe image : images(service)) {
                for (String directory : dataDirectories(service, image, problems)) {
                    boolean mounted = service.mounts().keySet().stream()
                            .anyMatch(target -> directory.equals(target) || directory.startsWith(target + "/"));
                    if (!mounted) {
                        problems.add(where(service, image) + "writes its data to " + directory + ", outside its volumes "
                                + service.mounts().keySet() + ": it is lost whenever the container is recreated");
                    }
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void everyApplicationServerIsTheServicesOwnNameAndPort() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            Optional<ServiceConfiguration> configuration = configuration(service);
            if (configuration.isEmpty()) {
                continue;
            }
            for (ImageRecipe image : images(service)) {
                Map<String, String> environment = environment(service, image);
                String port = configuration.get().value("quarkus.http.port", environment).orElse("8080");
                String server = configuration.get().value("quarkus.kafka-streams.application-server", environment).orElse("(unset)");
                if (!server.equals(service.name() + ":" + port)) {
                    problems.add(where(service, image) + "application.server is " + server + ", but other instances reach it at "
                            + service.name() + ":" + port);
                }
                if (!service.containerPorts().contains(Integer.parseInt(port))) {
                    problems.add(where(service, image) + "listens on " + port + ", but publishes " + service.containerPorts());
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void everyInstanceKeepsItsStateInAVolumeOfItsOwn() {
        List<String> problems = new ArrayList<>();
        COMPOSE.services.stream().flatMap(service -> service.mounts().values().stream().filter(v -> !v.isEmpty() && !v.startsWith("/")
                        && !v.startsWith(".")).map(volume -> Map.entry(volume, service.name())))
                .collect(Collectors.groupingBy(Map.Entry::getKey, LinkedHashMap::new, Collectors.mapping(Map.Entry::getValue, Collectors.toList())))
                .forEach((volume, users) -> {
                    if (users.size() > 1) {
                        problems.add("volume " + volume + " is mounted by " + users + ": two instances cannot share one state folder");
                    }
                });
        assertNone(problems);
    }

    @Test
    void everyDependencyWaitsForWhatTheServiceNeeds() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            service.dependsOn().forEach((name, condition) -> {
                Service dependency = COMPOSE.service(name);
                boolean healthchecked = !dependency.healthcheck().isEmpty();
                switch (condition) {
                    case "service_healthy" -> {
                        if (!healthchecked) {
                            problems.add(service.name() + ": waits for " + name + " to be healthy, but it has no healthcheck");
                        }
                    }
                    case "service_started" -> {
                        if (healthchecked) {
                            problems.add(service.name() + ": starts as soon as " + name + " starts; wait for service_healthy");
                        }
                    }
                    case "service_completed_successfully" -> {
                        if (dependency.restart() != null && !dependency.restart().equals("no")) {
                            problems.add(service.name() + ": waits for " + name + " to complete, but " + name + " restarts ("
                                    + dependency.restart() + "): its first failed exit already fails the start");
                        }
                    }
                    default -> problems.add(service.name() + ": unknown depends_on condition " + condition);
                }
                if (!dependency.profiles().isEmpty() && !service.profiles().containsAll(dependency.profiles())) {
                    problems.add(service.name() + ": depends on " + name + ", which runs only with profile(s) " + dependency.profiles());
                }
            });
            if (configuration(service).isPresent() && !String.join(" ", service.healthcheck()).contains("/q/health/ready")) {
                problems.add(service.name() + ": a Flywheel service needs a healthcheck on /q/health/ready, so others can wait for it");
            }
        }
        assertNone(problems);
    }

    @Test
    void everyEnvironmentVariableIsOneTheImageReads() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            Optional<ServiceConfiguration> configuration = configuration(service);
            for (ImageRecipe image : images(service)) {
                Map<String, String> origins = new LinkedHashMap<>();
                image.environment.keySet().forEach(name -> origins.put(name, ROOT.relativize(image.file).toString()));
                service.environment().keySet().forEach(name -> origins.put(name, "docker-compose.yml"));
                origins.forEach((name, origin) -> {
                    boolean read = BaseImage.PROCESS_VARIABLES.contains(name) || image.launcherVariables().contains(name)
                            || image.base.reads().test(name) || configuration.map(c -> c.reads(name)).orElse(false);
                    if (!read) {
                        problems.add(where(service, image) + name + " (set in " + origin + ") is read by nothing in the image"
                                + configuration.map(c -> ": it maps to no configuration key " + c + " declares").orElse(""));
                    }
                });
            }
        }
        assertNone(problems.stream().distinct().toList());
    }

    @Test
    void healthchecksRunCommandsTheImagesContain() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services) {
            for (ImageRecipe image : images(service)) {
                for (String command : commands(service.healthcheck())) {
                    if (!image.base.contains(command)) {
                        problems.add(where(service, image) + "the healthcheck runs " + command + ", which " + image.base.reference()
                                + " does not contain");
                    }
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void eachImageIsBuiltByOneServiceAndNeverPulledFromARegistry() {
        List<String> problems = new ArrayList<>();
        COMPOSE.services.stream().filter(Service::builds)
                .collect(Collectors.groupingBy(Service::dockerfile, LinkedHashMap::new, Collectors.mapping(Service::name, Collectors.toList())))
                .forEach((dockerfile, builders) -> {
                    if (builders.size() > 1) {
                        problems.add(ROOT.relativize(dockerfile) + " is built by " + builders + ": build it once and share the image");
                    }
                });
        for (Service service : COMPOSE.services) {
            boolean builtHere = COMPOSE.services.stream().anyMatch(other -> other.builds() && service.image() != null
                    && service.image().equals(other.image()));
            if (service.builds() && service.image() != null && !"build".equals(service.pullPolicy())) {
                problems.add(service.name() + ": names its image " + service.image() + " without pull_policy: build,"
                        + " so compose first tries to pull that name from a registry");
            }
            if (!service.builds() && builtHere && !"never".equals(service.pullPolicy())) {
                problems.add(service.name() + ": runs " + service.image() + ", built by another service, without pull_policy: never");
            }
        }
        if (COMPOSE.topLevelKeys.contains("version")) {
            problems.add("docker-compose.yml: the top-level version key is obsolete (Compose ignores it and warns)");
        }
        assertNone(problems);
    }

    /**
     * Every image the service may run: for a build, each Dockerfile* beside the one compose names (JVM and native);
     * for an image another service builds, that service's.
     */
    private static List<ImageRecipe> images(Service service) {
        if (!service.builds()) {
            return COMPOSE.services.stream().filter(other -> other.builds() && service.image().equals(other.image())).findFirst()
                    .map(ComposeMeshTest::images).orElseGet(() -> List.of(ImageRecipe.pulled(service.image())));
        }
        return ImageRecipe.beside(service.dockerfile());
    }

    /** What the container runs with: the image's ENV, overridden by the compose file's environment. */
    private static Map<String, String> environment(Service service, ImageRecipe image) {
        Map<String, String> environment = new LinkedHashMap<>(image.environment);
        environment.putAll(service.environment());
        return environment;
    }

    private static List<String> dataDirectories(Service service, ImageRecipe image, List<String> problems) {
        Optional<ServiceConfiguration> configuration = configuration(service);
        if (configuration.isPresent()) {
            // Every Flywheel service keeps Kafka Streams state (RocksDB stores, checkpoints) under this key.
            Optional<String> stateDir = configuration.get().value("kafka-streams.state.dir", environment(service, image));
            if (stateDir.isEmpty()) {
                problems.add(where(service, image) + "no kafka-streams.state.dir: Streams writes to a temporary folder");
            }
            return stateDir.stream().toList();
        }
        if (image.base.reference().equals(BaseImage.KAFKA)) {
            return KafkaImageEnvironment.dataDirectories(environment(service, image));
        }
        return List.of();
    }

    /** The configuration of a service that runs a Flywheel service module's image, built by itself or by another service. */
    private static Optional<ServiceConfiguration> configuration(Service service) {
        Optional<Service> builder = service.builds() ? Optional.of(service) : COMPOSE.services.stream()
                .filter(other -> other.builds() && service.image() != null && service.image().equals(other.image())).findFirst();
        return builder.map(Service::buildContext).flatMap(ServiceModule::of).map(ServiceModule::configuration);
    }

    /** The commands a healthcheck test runs: the executable of an exec form, the shell and each command word of a script. */
    static List<String> commands(List<String> test) {
        if (test.isEmpty() || test.get(0).equals("NONE")) {
            return List.of();
        }
        if (!test.get(0).equals("CMD-SHELL")) {
            return List.of(test.get(1));
        }
        List<String> commands = new ArrayList<>(List.of("sh"));
        for (String segment : test.get(1).split("&&|\\|\\||;|\\|")) {
            List<String> words = ImageRecipe.words(segment);
            if (!words.isEmpty() && !SHELL_BUILTINS.contains(words.get(0))) {
                commands.add(words.get(0));
            }
        }
        return commands;
    }

    private static String where(Service service, ImageRecipe image) {
        return service.name() + " (" + (image.file == null ? image.base.reference() : ROOT.relativize(image.file)) + "): ";
    }
}
