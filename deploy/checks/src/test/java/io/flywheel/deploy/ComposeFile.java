package io.flywheel.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * A compose file as a container start sees it: anchors and merge keys resolved, and {@code ${VAR:-default}}
 * interpolated as for a user who sets none of the variables.
 */
final class ComposeFile {

    /**
     * One service; {@code mounts} maps a container path to the named volume mounted there, {@code dependsOn} a
     * service it waits for to the condition it waits for ({@code service_started} in the short form).
     */
    record Service(String name, String image, Path buildContext, Path dockerfile, String pullPolicy,
                   Map<String, String> environment, Map<String, String> mounts, List<Integer> containerPorts,
                   List<String> healthcheck, Map<String, String> dependsOn, String restart, List<String> profiles) {

        boolean builds() {
            return buildContext != null;
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    final Set<String> topLevelKeys;
    final List<Service> services = new ArrayList<>();

    private ComposeFile(Path file, Map<String, Object> root) {
        this.topLevelKeys = root.keySet();
        Path directory = file.toAbsolutePath().getParent();
        map(root.get("services")).forEach((name, definition) -> services.add(service(directory, name, map(definition))));
    }

    static ComposeFile load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new ComposeFile(file, new Yaml().load(reader));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    Service service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no service " + name));
    }

    private static Service service(Path directory, String name, Map<String, Object> definition) {
        Path context = null;
        Path dockerfile = null;
        Object build = definition.get("build");
        if (build instanceof String path) {
            context = directory.resolve(path).normalize();
            dockerfile = context.resolve("Dockerfile");
        } else if (build != null) {
            Map<String, Object> spec = map(build);
            context = directory.resolve(String.valueOf(spec.getOrDefault("context", "."))).normalize();
            dockerfile = context.resolve(String.valueOf(spec.getOrDefault("dockerfile", "Dockerfile"))).normalize();
        }
        return new Service(name, text(definition.get("image")), context, dockerfile, text(definition.get("pull_policy")),
                environment(definition.get("environment")), mounts(definition.get("volumes")),
                containerPorts(definition.get("ports")), healthcheck(definition.get("healthcheck")),
                dependsOn(definition.get("depends_on")), text(definition.get("restart")),
                definition.get("profiles") == null ? List.of() : ((List<?>) definition.get("profiles")).stream().map(String::valueOf).toList());
    }

    private static Map<String, String> dependsOn(Object dependsOn) {
        Map<String, String> conditions = new LinkedHashMap<>();
        if (dependsOn instanceof List<?> names) {
            names.forEach(name -> conditions.put(String.valueOf(name), "service_started"));
        } else if (dependsOn != null) {
            map(dependsOn).forEach((name, spec) -> conditions.put(name,
                    String.valueOf(map(spec).getOrDefault("condition", "service_started"))));
        }
        return conditions;
    }

    private static Map<String, String> environment(Object environment) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                variables.put(pair[0], pair.length == 2 ? interpolate(pair[1]) : "");
            }
        } else if (environment != null) {
            map(environment).forEach((key, value) -> variables.put(key, value == null ? "" : interpolate(String.valueOf(value))));
        }
        return variables;
    }

    private static Map<String, String> mounts(Object volumes) {
        Map<String, String> mounts = new LinkedHashMap<>();
        if (volumes == null) {
            return mounts;
        }
        for (Object volume : (List<?>) volumes) {
            if (volume instanceof Map<?, ?> spec) {
                mounts.put(String.valueOf(spec.get("target")), String.valueOf(spec.get("source")));
            } else {
                String[] parts = interpolate(String.valueOf(volume)).split(":");
                mounts.put(parts.length == 1 ? parts[0] : parts[1], parts.length == 1 ? "" : parts[0]);
            }
        }
        return mounts;
    }

    private static List<Integer> containerPorts(Object ports) {
        List<Integer> containerPorts = new ArrayList<>();
        if (ports != null) {
            for (Object port : (List<?>) ports) {
                String published = port instanceof Map<?, ?> spec ? String.valueOf(spec.get("target")) : interpolate(String.valueOf(port));
                String container = published.substring(published.lastIndexOf(':') + 1).replaceAll("/.*", "");
                containerPorts.add(Integer.parseInt(container));
            }
        }
        return containerPorts;
    }

    /** The healthcheck test in exec form; a string or {@code CMD-SHELL} test is {@code [CMD-SHELL, script]}. */
    private static List<String> healthcheck(Object healthcheck) {
        if (healthcheck == null || Boolean.TRUE.equals(map(healthcheck).get("disable"))) {
            return List.of();
        }
        Object test = map(healthcheck).get("test");
        if (test instanceof String script) {
            return List.of("CMD-SHELL", script);
        }
        return ((List<?>) test).stream().map(String::valueOf).toList();
    }

    static String interpolate(String value) {
        Matcher matcher = VARIABLE.matcher(value.replace("$$", "\u0000"));
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(matcher.group(2) == null ? "" : matcher.group(2)));
        }
        matcher.appendTail(result);
        return result.toString().replace("\u0000", "$");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }
}
