package io.flywheel.deploy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a published image contains, as far as a container start depends on it. No container runtime is at
 * hand to look inside the images, so each entry is read from the image's build recipe at exactly this tag;
 * a new tag fails the checks until its entry is read again.
 *
 * @param user the user the image runs as
 * @param userIds user names of the image's /etc/passwd that Dockerfiles use, with their ids
 * @param folders folders the image holds, with the id of their owner
 * @param commands what a healthcheck may run (globs over the command word)
 * @param launcher the entrypoint script, if the image has one, that reads {@code launcherVariables}
 * @param reads environment variables the image's own software reads, beside the launcher's
 */
record BaseImage(String reference, String user, Map<String, String> userIds, Map<String, String> folders,
                 List<String> commands, String launcher, Set<String> launcherVariables, Predicate<String> reads) {

    /** Read by the C library or the JVM of any process. */
    static final Set<String> PROCESS_VARIABLES = Set.of("LANG", "LANGUAGE", "LC_ALL", "TZ", "PATH", "HOME");

    private static final String UBI_OPENJDK_17 = "registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21";
    private static final String UBI_MINIMAL = "registry.access.redhat.com/ubi9/ubi-minimal:9.6";
    static final String KAFKA = "apache/kafka:4.1.2";
    private static final String REGISTRY = "apicurio/apicurio-registry:3.3.3";

    /** UBI 9 minimal ships bash, microdnf and curl-minimal (the curl command); no wget, no nc. */
    private static final List<String> UBI_MINIMAL_COMMANDS = List.of("sh", "bash", "curl", "microdnf");

    private static final Map<String, BaseImage> KNOWN = Map.of(
            // jboss-container-images/openjdk, ubi9-openjdk-17-runtime.yaml 1.21: ubi-minimal plus java-17-openjdk-headless,
            // tar and shadow-utils; module "user" adds uid 185 ("default"); module "run" runs mkdir -p /deployments/data
            // and gives only /deployments/data to 185, so /deployments itself stays root's.
            UBI_OPENJDK_17, new BaseImage(UBI_OPENJDK_17, "185", Map.of("default", "185"),
                    Map.of("/deployments", "0", "/deployments/data", "185", "/home/default", "185", "/tmp", "0"),
                    concat(UBI_MINIMAL_COMMANDS, List.of("java", "tar")), "/opt/jboss/container/java/run/run-java.sh",
                    Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "JAVA_APP_JAR", "JAVA_APP_DIR", "JAVA_APP_NAME", "JAVA_MAIN_CLASS",
                            "JAVA_LIB_DIR", "JAVA_CLASSPATH", "JAVA_ARGS", "JAVA_MAX_MEM_RATIO", "JAVA_DEBUG", "JAVA_DEBUG_PORT"),
                    name -> false),
            UBI_MINIMAL, new BaseImage(UBI_MINIMAL, "0", Map.of(), Map.of("/tmp", "0"), UBI_MINIMAL_COMMANDS, null, Set.of(),
                    name -> false),
            // apache/kafka docker/jvm/Dockerfile: eclipse-temurin JRE on Alpine plus bash; adduser appuser (the first
            // user: 1000); mkdir -p /var/lib/kafka/data; chown appuser:root -R /var/lib/kafka; USER appuser. Its run
            // script turns KAFKA_* variables into server.properties (KafkaImageEnvironment reads them the same way).
            KAFKA, new BaseImage(KAFKA, "appuser", Map.of("appuser", "1000"),
                    Map.of("/var/lib/kafka", "1000", "/var/lib/kafka/data", "1000", "/opt/kafka", "1000",
                            "/etc/kafka/secrets", "1000", "/mnt/shared/config", "1000", "/tmp", "0"),
                    List.of("sh", "bash", "java", "/opt/kafka/bin/*.sh"), null, Set.of(), KafkaImageEnvironment::reads),
            // The registry is configured by the same two keys the local stack passes it (storage in Kafka, so schemas
            // outlive a registry restart); nothing else of the image is relied on.
            REGISTRY, new BaseImage(REGISTRY, null, Map.of(), Map.of(), List.of(), null, Set.of(),
                    Set.of("APICURIO_STORAGE_KIND", "APICURIO_KAFKASQL_BOOTSTRAP_SERVERS")::contains));

    static BaseImage of(String reference) {
        BaseImage image = KNOWN.get(reference);
        if (image == null) {
            throw new AssertionError("no entry for image " + reference + " in BaseImage: read its build recipe at this tag"
                    + " and declare its user, folders, commands and the environment it reads");
        }
        return image;
    }

    /** The numeric id of a user as written in USER or chown ({@code 185}, {@code appuser}, {@code 1001:root}). */
    String userId(String user) {
        String name = user.split(":")[0];
        if (name.equals("root")) {
            return "0";
        }
        return name.chars().allMatch(Character::isDigit) ? name : userIds.getOrDefault(name, name);
    }

    boolean contains(String command) {
        return commands.stream().anyMatch(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(command)));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }
}
