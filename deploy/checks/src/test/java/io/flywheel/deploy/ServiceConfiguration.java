package io.flywheel.deploy;

import io.flywheel.runtime.config.StreamsEnvironmentConfigSource;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.common.utils.StringUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys a Flywheel service reads, taken from its own jar and the Flywheel jars beside it on the
 * test classpath: the service's application.properties, the shared defaults (META-INF/microprofile-config.properties)
 * and every {@link ConfigMapping} interface.
 *
 * <p>Quarkus matches an environment variable to a key by upper-casing the key and replacing every other
 * character with '_'. It can do so only for keys it knows: a variable that matches no declared key (a typo) is
 * silently ignored, so only declared keys count, plus every {@code KAFKA_STREAMS_*} variable that names a setting
 * Kafka Streams or its clients know (shared-runtime's {@link StreamsEnvironmentConfigSource} maps those).
 */
final class ServiceConfiguration {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}:]+)}");
    /** A reference with or without a default: {@code ${key}} or {@code ${key:default}}. */
    private static final Pattern OPTIONAL_REFERENCE = Pattern.compile("\\$\\{([^}:]+)(?::[^}]*)?}");

    private final String application;
    /** Declared keys, higher precedence first: the service's own file, then the shared defaults. */
    private final List<Map<String, String>> files = new ArrayList<>();
    private final List<String> mappedKeys = new ArrayList<>();

    private ServiceConfiguration(String application) {
        this.application = application;
    }

    /** The service whose application.properties names it {@code quarkus.application.name=application}. */
    static ServiceConfiguration of(String application) {
        ServiceConfiguration configuration = new ServiceConfiguration(application);
        List<Path> sharedRoots = new ArrayList<>();
        Path serviceRoot = null;
        for (Path root : flywheelRoots()) {
            Map<String, String> properties = properties(root, "application.properties");
            if (properties.isEmpty()) {
                sharedRoots.add(root);
            } else if (application.equals(properties.get("quarkus.application.name"))) {
                serviceRoot = root;
                configuration.files.add(properties);
            }
        }
        if (serviceRoot == null) {
            throw new AssertionError("no jar of " + application + " on the test classpath: add it as a test dependency of deploy/checks");
        }
        for (Path root : sharedRoots) {
            configuration.files.add(properties(root, "META-INF/microprofile-config.properties"));
        }
        for (Path root : Stream.concat(Stream.of(serviceRoot), sharedRoots.stream()).toList()) {
            for (Class<?> mapping : configMappings(root)) {
                String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
                configuration.mappedKeys.addAll(ConfigMappings.getProperties(new ConfigMappings.ConfigClass(mapping, prefix)).keySet());
            }
        }
        return configuration;
    }

    static String environmentName(String key) {
        return StringUtil.replaceNonAlphanumericByUnderscores(key).toUpperCase();
    }

    /**
     * Whether Quarkus maps this environment variable to a key the service declares: a key of its
     * properties files or mappings, or one a property's value refers to ({@code ${flywheel.instance-id:}}).
     */
    boolean reads(String variable) {
        if (!StreamsEnvironmentConfigSource.properties(Map.of(variable, "")).isEmpty()) {
            return true;
        }
        Stream<String> referenced = files.stream().flatMap(f -> f.values().stream())
                .flatMap(value -> OPTIONAL_REFERENCE.matcher(value).results().map(match -> match.group(1)));
        return Stream.of(files.stream().flatMap(f -> f.keySet().stream()), mappedKeys.stream(), referenced)
                .flatMap(keys -> keys)
                .anyMatch(key -> environmentPattern(key).matcher(variable).matches());
    }

    /** The value the service runs with: the environment first, then its properties files; {@code ${key}} expanded. */
    Optional<String> value(String key, Map<String, String> environment) {
        String value = Optional.ofNullable(environment.get(environmentName(key)))
                .orElseGet(() -> StreamsEnvironmentConfigSource.properties(environment).get(key));
        for (int i = 0; value == null && i < files.size(); i++) {
            value = files.get(i).get(key);
        }
        if (value == null) {
            return Optional.empty();
        }
        Matcher matcher = REFERENCE.matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
            String reference = value(matcher.group(1), environment).orElse(matcher.group());
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(reference));
        }
        matcher.appendTail(expanded);
        return Optional.of(expanded.toString());
    }

    @Override
    public String toString() {
        return application;
    }

    /** A key's environment-variable form; a map key or list index ({@code *}) stands for any run of name characters. */
    private static Pattern environmentPattern(String key) {
        StringBuilder regex = new StringBuilder();
        for (String part : key.replace("[*]", ".*").split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(environmentName(part)));
        }
        return Pattern.compile(regex.toString());
    }

    /** Classpath roots (jars or class folders) holding Flywheel classes. */
    private static List<Path> flywheelRoots() {
        try {
            Path checks = Path.of(ServiceConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<Path> roots = new ArrayList<>();
            for (URL url : Collections.list(ServiceConfiguration.class.getClassLoader().getResources("io/flywheel"))) {
                roots.add(url.getProtocol().equals("jar")
                        ? Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI())
                        : Path.of(url.toURI()).getParent().getParent());
            }
            roots.remove(checks);
            return roots;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> properties(Path root, String name) {
        Properties properties = new Properties();
        try (InputStream in = open(root, name)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> keys = new LinkedHashMap<>();
        // A %profile. prefix declares the same key for one profile; the plain entry's value is the one that runs.
        properties.stringPropertyNames().forEach(key -> keys.putIfAbsent(key.replaceFirst("^%[^.]+\\.", ""), properties.getProperty(key)));
        properties.stringPropertyNames().stream().filter(key -> !key.startsWith("%"))
                .forEach(key -> keys.put(key, properties.getProperty(key)));
        return keys;
    }

    private static InputStream open(Path root, String name) throws IOException {
        if (Files.isDirectory(root)) {
            Path file = root.resolve(name);
            return Files.exists(file) ? Files.newInputStream(file) : null;
        }
        JarFile jar = new JarFile(root.toFile());
        var entry = jar.getJarEntry(name);
        if (entry == null) {
            jar.close();
            return null;
        }
        return new java.io.FilterInputStream(jar.getInputStream(entry)) {
            @Override
            public void close() throws IOException {
                super.close();
                jar.close();
            }
        };
    }

    private static List<Class<?>> configMappings(Path root) {
        List<String> classFiles;
        try {
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    classFiles = files.map(f -> root.relativize(f).toString()).filter(f -> f.endsWith(".class")).toList();
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    classFiles = jar.stream().map(e -> e.getName()).filter(f -> f.endsWith(".class")).toList();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Class<?>> mappings = new ArrayList<>();
        for (String classFile : classFiles) {
            if (classFile.contains("-")) {
                continue; // module-info, package-info
            }
            String className = classFile.substring(0, classFile.length() - ".class".length()).replace('/', '.');
            try {
                Class<?> type = Class.forName(className, false, ServiceConfiguration.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    mappings.add(type);
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return mappings;
    }
}
