package io.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A kustomize base as {@code kubectl apply -k} reads it: the resources its kustomization.yaml lists, each parsed
 * into fabric8's typed Kubernetes model. Fields the API does not define are kept aside, so they can be reported.
 */
final class KubernetesManifests {

    /** One parsed resource and the file it came from. */
    record Manifest(Path file, HasMetadata resource) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final Path directory;
    final List<String> resourceFiles = new ArrayList<>();
    /** Image names the kustomization sets a tag for. */
    final List<String> taggedImages = new ArrayList<>();
    final List<Manifest> manifests = new ArrayList<>();

    private KubernetesManifests(Path directory) {
        this.directory = directory;
    }

    static KubernetesManifests load(Path directory) {
        KubernetesManifests base = new KubernetesManifests(directory);
        try {
            JsonNode kustomization = YAML.readTree(directory.resolve("kustomization.yaml").toFile());
            kustomization.path("resources").forEach(file -> base.resourceFiles.add(file.asText()));
            kustomization.path("images").forEach(image -> base.taggedImages.add(image.path("name").asText()));
            ObjectReader reader = YAML.readerFor(KubernetesResource.class);
            for (String file : base.resourceFiles) {
                Path path = directory.resolve(file);
                if (!Files.exists(path)) {
                    continue;
                }
                try (var documents = reader.<KubernetesResource>readValues(path.toFile())) {
                    while (documents.hasNext()) {
                        KubernetesResource resource = documents.next();
                        if (resource != null) {
                            base.manifests.add(new Manifest(path, (HasMetadata) resource));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kustomize base in " + directory, e);
        }
        return base;
    }

    /** Every YAML file in the folder beside kustomization.yaml. */
    List<String> yamlFiles() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                    .filter(f -> !f.startsWith("kustomization.")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return manifests.stream().map(Manifest::resource).filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
        return all(kind).stream().filter(r -> r.getMetadata() != null && name.equals(r.getMetadata().getName())).findFirst();
    }

    /** Kinds the model does not know, and fields the Kubernetes API does not define, as "file: Kind/name: path". */
    List<String> unknownFields() {
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : manifests) {
            String where = directory.relativize(manifest.file()) + ": " + manifest.resource().getKind() + "/"
                    + (manifest.resource().getMetadata() == null ? "?" : manifest.resource().getMetadata().getName());
            if (manifest.resource() instanceof GenericKubernetesResource) {
                problems.add(where + ": " + manifest.resource().getApiVersion() + " " + manifest.resource().getKind()
                        + " is not a kind of the Kubernetes API");
            } else {
                collectUnknownFields(manifest.resource(), "", where, problems);
            }
        }
        return problems;
    }

    /** Walks the model's getters; each object keeps the fields it does not define in getAdditionalProperties(). */
    private static void collectUnknownFields(Object value, String path, String where, List<String> problems) {
        if (value instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + index++ + "]", where, problems);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((key, item) -> collectUnknownFields(item, path + "." + key, where, problems));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object field = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) field).keySet().forEach(name -> problems.add(where + ": " + path + "." + name
                        + " is not a field of " + value.getClass().getSimpleName()));
            } else {
                String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                collectUnknownFields(field, path + "." + name, where, problems);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter.toString(), e);
        }
    }
}
