package io.flywheel.deploy;

import static io.flywheel.deploy.Checks.assertNone;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s, the kustomize base, checked against the images the services build and the configuration they read:
 * each service a StatefulSet whose pods have stable DNS names (their application.server), state on a volume claim
 * at the images' state path, health probes, a disruption budget, memory for heap plus RocksDB plus the JVM, and the
 * image's own user. Each check reports every problem it finds.
 */
class KubernetesManifestTest {

    /** The JVM beside its heap (metaspace, GC, code cache, threads): 185 MiB measured under load, see docs/benchmarks.md. */
    static final long JVM_OUTSIDE_HEAP_BYTES = 256L << 20;
    /** BoundedMemoryRocksDbConfig's default block cache, which also holds the write buffers. */
    private static final long DEFAULT_ROCKSDB_CACHE_BYTES = 64L << 20;
    private static final String NAMESPACE = "flywheel-test";
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private final KubernetesManifests base = KubernetesManifests.load(Checks.ROOT.resolve("deploy/k8s"));

    @Test
    void theKustomizationListsEveryManifestOfItsFolder() {
        List<String> problems = new ArrayList<>();
        base.resourceFiles.stream().filter(file -> !base.yamlFiles().contains(file))
                .forEach(file -> problems.add("kustomization.yaml lists " + file + ", which is not in deploy/k8s"));
        base.yamlFiles().stream().filter(file -> !base.resourceFiles.contains(file))
                .forEach(file -> problems.add(file + " is not listed in kustomization.yaml: kubectl apply -k leaves it out"));
        assertNone(problems);
    }

    @Test
    void everyFieldIsOneTheKubernetesApiDefines() {
        assertNone(base.unknownFields());
    }

    @Test
    void everyServiceIsAStatefulSetBehindAHeadlessServiceThatPublishesPodsBeforeTheyAreReady() {
        List<String> problems = new ArrayList<>();
        for (ServiceModule module : ServiceModule.all()) {
            Optional<StatefulSet> found = base.named(StatefulSet.class, module.name());
            if (found.isEmpty()) {
                problems.add(module.name() + ": no StatefulSet of that name in deploy/k8s");
                continue;
            }
            StatefulSet set = found.get();
            String where = module.name() + ": ";
            Map<String, String> podLabels = set.getSpec().getTemplate().getMetadata().getLabels();
            if (!selects(set.getSpec().getSelector().getMatchLabels(), podLabels)) {
                problems.add(where + "the StatefulSet's selector does not match its own pods' labels");
            }
            Optional<Service> headless = base.named(Service.class, String.valueOf(set.getSpec().getServiceName()));
            if (headless.isEmpty()) {
                problems.add(where + "serviceName " + set.getSpec().getServiceName() + " names no Service in deploy/k8s");
                continue;
            }
            var spec = headless.get().getSpec();
            if (!"None".equals(spec.getClusterIP())) {
                problems.add(where + "Service " + set.getSpec().getServiceName() + " is not headless (clusterIP: None):"
                        + " pods get no DNS names of their own");
            }
            if (!Boolean.TRUE.equals(spec.getPublishNotReadyAddresses())) {
                problems.add(where + "Service " + set.getSpec().getServiceName() + " does not publish pods before they are"
                        + " ready: an instance restoring state cannot be reached by its peers");
            }
            if (!selects(spec.getSelector(), podLabels)) {
                problems.add(where + "Service " + set.getSpec().getServiceName() + " does not select the StatefulSet's pods");
            }
            Container container = container(set);
            for (ServicePort port : spec.getPorts()) {
                if (containerPort(container, port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort()).isEmpty()) {
                    problems.add(where + "Service port " + port.getPort() + " targets " + port.getTargetPort()
                            + ", which the container does not declare");
                }
            }
            if (!Objects.equals(container.getImage(), "flywheel/" + module.name())) {
                problems.add(where + "runs image " + container.getImage() + ", not flywheel/" + module.name()
                        + " (the image built from " + Checks.ROOT.relativize(module.directory()) + ")");
            }
            if (!base.taggedImages.contains(container.getImage())) {
                problems.add(where + "kustomization.yaml sets no tag for image " + container.getImage());
            }
        }
        assertNone(problems);
    }

    @Test
    void everyApplicationServerIsThePodsOwnStableName() {
        List<String> problems = new ArrayList<>();
        forEachImage((module, set, container, image) -> {
            Map<String, String> environment = processEnvironment(set, container, image, new TreeSet<>());
            String port = module.configuration().value("quarkus.http.port", environment).orElse("8080");
            String server = module.configuration().value("quarkus.kafka-streams.application-server", environment).orElse("(unset)");
            String pod = set.getMetadata().getName() + "-0";
            Pattern ownName = Pattern.compile(Pattern.quote(pod + "." + set.getSpec().getServiceName() + "." + NAMESPACE + ".svc")
                    + "(\\.[a-z0-9.-]+)?:" + Pattern.quote(port));
            if (!ownName.matcher(server).matches()) {
                problems.add(where(module, image) + "pod " + pod + " in namespace " + NAMESPACE + " gets application.server "
                        + server + ", not its own name " + pod + "." + set.getSpec().getServiceName() + "." + NAMESPACE + ".svc.<cluster domain>:" + port);
            }
            if (containerPort(container, new IntOrString(Integer.parseInt(port))).isEmpty()) {
                problems.add(where(module, image) + "listens on " + port + ", but the container declares ports "
                        + container.getPorts().stream().map(ContainerPort::getContainerPort).toList());
            }
        });
        assertNone(problems);
    }

    @Test
    void everyEnvironmentVariableIsOneTheImageReads() {
        List<String> problems = new ArrayList<>();
        forEachImage((module, set, container, image) -> {
            Set<String> referenced = new TreeSet<>();
            Map<String, String> environment = processEnvironment(set, container, image, referenced);
            for (String name : declaredVariables(container)) {
                boolean read = BaseImage.PROCESS_VARIABLES.contains(name) || image.launcherVariables().contains(name)
                        || referenced.contains(name) || module.configuration().reads(name);
                if (!read) {
                    problems.add(where(module, image) + name + " is read by nothing in the image: it maps to no configuration key "
                            + module.name() + " declares");
                }
            }
            for (EnvFromSource source : container.getEnvFrom()) {
                if (source.getConfigMapRef() != null && base.named(ConfigMap.class, source.getConfigMapRef().getName()).isEmpty()
                        && !Boolean.TRUE.equals(source.getConfigMapRef().getOptional())) {
                    problems.add(where(module, image) + "takes its environment from ConfigMap " + source.getConfigMapRef().getName()
                            + ", which deploy/k8s does not define: the pod never starts");
                }
            }
            environment.keySet().stream().filter(name -> !name.matches("[A-Za-z_][A-Za-z0-9_]*"))
                    .forEach(name -> problems.add(where(module, image) + name + " is not a valid environment variable name"));
        });
        for (ConfigMap shared : base.all(ConfigMap.class)) {
            for (ServiceModule module : ServiceModule.all()) {
                boolean used = base.named(StatefulSet.class, module.name()).map(KubernetesManifestTest::container).stream()
                        .flatMap(c -> c.getEnvFrom().stream())
                        .anyMatch(s -> s.getConfigMapRef() != null && shared.getMetadata().getName().equals(s.getConfigMapRef().getName()));
                if (!used) {
                    problems.add(module.name() + ": does not take the shared settings of ConfigMap " + shared.getMetadata().getName());
                }
            }
        }
        assertNone(problems.stream().distinct().toList());
    }

    @Test
    void stateLivesOnAVolumeClaimAtTheStateFolderOfEveryImage() {
        List<String> problems = new ArrayList<>();
        forEachImage((module, set, container, image) -> {
            Set<String> claims = new TreeSet<>();
            set.getSpec().getVolumeClaimTemplates().forEach(claim -> claims.add(claim.getMetadata().getName()));
            List<String> claimMounts = container.getVolumeMounts().stream().filter(m -> claims.contains(m.getName()))
                    .map(VolumeMount::getMountPath).toList();
            Map<String, String> environment = processEnvironment(set, container, image, new TreeSet<>());
            Optional<String> stateDir = module.configuration().value("kafka-streams.state.dir", environment);
            if (stateDir.isEmpty()) {
                problems.add(where(module, image) + "no kafka-streams.state.dir: Streams writes to a temporary folder");
                return;
            }
            boolean onClaim = claimMounts.stream().anyMatch(m -> stateDir.get().equals(m) || stateDir.get().startsWith(m + "/"));
            if (!onClaim) {
                problems.add(where(module, image) + "keeps its state in " + stateDir.get() + ", outside its volume claims "
                        + claimMounts + ": a restarted pod restores every store from Kafka");
            }
            String user = runAsUser(set, container).map(String::valueOf).orElse(image.userId);
            for (String mount : claimMounts) {
                String owner = image.folderOwners.get(mount);
                if (owner == null) {
                    problems.add(where(module, image) + mount + " is not a folder of the image");
                } else if (!owner.equals(user)) {
                    problems.add(where(module, image) + mount + " belongs to uid " + owner + ", the pod runs as uid " + user);
                }
            }
        });
        assertNone(problems);
    }

    @Test
    void readinessAndLivenessAskTheServicesOwnHealthChecks() {
        List<String> problems = new ArrayList<>();
        forEachService((module, set, container) -> {
            checkProbe(module, container, "readiness", container.getReadinessProbe(), "/q/health/ready", problems);
            checkProbe(module, container, "liveness", container.getLivenessProbe(), "/q/health/live", problems);
        });
        assertNone(problems);
    }

    @Test
    void aDisruptionBudgetLetsInstancesGoOneAtATime() {
        List<String> problems = new ArrayList<>();
        forEachService((module, set, container) -> {
            Map<String, String> podLabels = set.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> budgets = base.all(PodDisruptionBudget.class).stream()
                    .filter(b -> selects(b.getSpec().getSelector().getMatchLabels(), podLabels)).toList();
            int replicas = Optional.ofNullable(set.getSpec().getReplicas()).orElse(1);
            if (budgets.size() != 1) {
                problems.add(module.name() + ": " + budgets.size() + " PodDisruptionBudgets select its pods, not one");
                return;
            }
            var spec = budgets.get(0).getSpec();
            Integer allowed = spec.getMaxUnavailable() != null ? spec.getMaxUnavailable().getIntVal()
                    : spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null ? replicas - spec.getMinAvailable().getIntVal()
                    : null;
            if (allowed == null || allowed < 1 || allowed > replicas - 1) {
                problems.add(module.name() + ": with " + replicas + " replicas the budget (maxUnavailable "
                        + Optional.ofNullable(spec.getMaxUnavailable()).map(IntOrString::getValue).orElse("unset") + ", minAvailable "
                        + Optional.ofNullable(spec.getMinAvailable()).map(IntOrString::getValue).orElse("unset")
                        + ") must let one pod go and keep one answering");
            }
        });
        assertNone(problems);
    }

    @Test
    void theMemoryLimitHoldsTheHeapRocksDbAndTheJvmOutsideTheHeap() {
        List<String> problems = new ArrayList<>();
        forEachImage((module, set, container, image) -> {
            var resources = container.getResources();
            Quantity limit = resources == null || resources.getLimits() == null ? null : resources.getLimits().get("memory");
            Quantity request = resources == null || resources.getRequests() == null ? null : resources.getRequests().get("memory");
            if (limit == null || request == null || resources.getRequests().get("cpu") == null) {
                problems.add(where(module, image) + "needs requests (cpu, memory) and a memory limit");
                return;
            }
            if (Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) != 0) {
                problems.add(where(module, image) + "memory request " + request + " differs from its limit " + limit
                        + ": the pod may be placed where its limit does not fit");
            }
            Map<String, String> environment = processEnvironment(set, container, image, new TreeSet<>());
            Optional<Long> heap = image.maxHeapBytes(environment);
            if (heap.isEmpty()) {
                problems.add(where(module, image) + "sets no -Xmx: the heap grows with the limit instead of within it");
                return;
            }
            long cache = module.configuration().value("kafka-streams.flywheel.rocksdb.cache-bytes", environment)
                    .map(Long::parseLong).orElse(DEFAULT_ROCKSDB_CACHE_BYTES);
            long needed = heap.get() + cache + JVM_OUTSIDE_HEAP_BYTES;
            if (Quantity.getAmountInBytes(limit).compareTo(BigDecimal.valueOf(needed)) < 0) {
                problems.add(where(module, image) + "memory limit " + limit + " is below heap " + (heap.get() >> 20) + " MiB + RocksDB "
                        + (cache >> 20) + " MiB + JVM outside the heap " + (JVM_OUTSIDE_HEAP_BYTES >> 20) + " MiB = "
                        + (needed >> 20) + " MiB: the pod is killed before its own bounds are reached");
            }
        });
        assertNone(problems);
    }

    @Test
    void podsRunAsTheImagesUserWithoutPrivileges() {
        List<String> problems = new ArrayList<>();
        forEachImage((module, set, container, image) -> {
            PodSecurityContext pod = set.getSpec().getTemplate().getSpec().getSecurityContext();
            SecurityContext own = container.getSecurityContext();
            Optional<Long> user = runAsUser(set, container);
            if (user.isEmpty() || !String.valueOf(user.get()).equals(image.userId)) {
                problems.add(where(module, image) + "the image runs as uid " + image.userId + ", the pod sets runAsUser "
                        + user.map(String::valueOf).orElse("(none)"));
            }
            boolean nonRoot = own != null && own.getRunAsNonRoot() != null ? own.getRunAsNonRoot()
                    : pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot());
            if (!nonRoot) {
                problems.add(where(module, image) + "runAsNonRoot is not set");
            }
            if (pod == null || pod.getFsGroup() == null) {
                problems.add(where(module, image) + "no fsGroup: a new volume belongs to root and the service cannot write its state");
            }
            if (own == null || !Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())
                    || own.getCapabilities() == null || !own.getCapabilities().getDrop().contains("ALL")) {
                problems.add(where(module, image) + "the container must set allowPrivilegeEscalation: false and drop ALL capabilities");
            }
        });
        assertNone(problems);
    }

    /**
     * What the service process sees: the image's ENV, then the container's envFrom and env in order, each value with
     * {@code $(NAME)} expanded by the kubelet from the variables defined before it. Field references are resolved
     * as for the first pod of the set in namespace {@value #NAMESPACE}; names used in a {@code $(NAME)} are added to
     * {@code referenced}.
     */
    private Map<String, String> processEnvironment(StatefulSet set, Container container, ImageRecipe image, Set<String> referenced) {
        Map<String, String> defined = new LinkedHashMap<>();
        for (EnvFromSource source : container.getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                base.named(ConfigMap.class, source.getConfigMapRef().getName()).map(ConfigMap::getData).ifPresent(data ->
                        data.forEach((key, value) -> defined.put(Objects.toString(source.getPrefix(), "") + key, value)));
            }
        }
        for (EnvVar variable : container.getEnv()) {
            String value = variable.getValueFrom() != null ? valueFrom(set, variable.getValueFrom())
                    : expand(Objects.toString(variable.getValue(), ""), defined, referenced);
            defined.put(variable.getName(), value);
        }
        Map<String, String> environment = new LinkedHashMap<>(image.environment);
        environment.putAll(defined);
        return environment;
    }

    private String valueFrom(StatefulSet set, EnvVarSource source) {
        if (source.getFieldRef() != null) {
            return switch (source.getFieldRef().getFieldPath()) {
                case "metadata.name" -> set.getMetadata().getName() + "-0";
                case "metadata.namespace" -> NAMESPACE;
                default -> "<" + source.getFieldRef().getFieldPath() + ">";
            };
        }
        if (source.getConfigMapKeyRef() != null) {
            return base.named(ConfigMap.class, source.getConfigMapKeyRef().getName())
                    .map(c -> c.getData().get(source.getConfigMapKeyRef().getKey())).orElse("");
        }
        if (source.getSecretKeyRef() != null) {
            return "<secret " + source.getSecretKeyRef().getName() + "/" + source.getSecretKeyRef().getKey() + ">";
        }
        return "";
    }

    /** The kubelet's expansion: {@code $(NAME)} of a variable defined earlier, {@code $$} for a literal {@code $}. */
    private static String expand(String value, Map<String, String> defined, Set<String> referenced) {
        Matcher matcher = REFERENCE.matcher(value.replace("$$", "\u0000"));
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            referenced.add(name);
            matcher.appendReplacement(result, Matcher.quoteReplacement(defined.getOrDefault(name, matcher.group())));
        }
        matcher.appendTail(result);
        return result.toString().replace("\u0000", "$");
    }

    private List<String> declaredVariables(Container container) {
        List<String> names = new ArrayList<>();
        for (EnvFromSource source : container.getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                base.named(ConfigMap.class, source.getConfigMapRef().getName()).map(ConfigMap::getData)
                        .ifPresent(data -> data.keySet().forEach(key -> names.add(Objects.toString(source.getPrefix(), "") + key)));
            }
        }
        container.getEnv().forEach(variable -> names.add(variable.getName()));
        return names;
    }

    private static void checkProbe(ServiceModule module, Container container, String kind, Probe probe, String path, List<String> problems) {
        if (probe == null || probe.getHttpGet() == null) {
            problems.add(module.name() + ": no HTTP " + kind + " probe on " + path);
            return;
        }
        if (!path.equals(probe.getHttpGet().getPath())) {
            problems.add(module.name() + ": the " + kind + " probe asks " + probe.getHttpGet().getPath() + ", not " + path);
        }
        if (containerPort(container, probe.getHttpGet().getPort()).isEmpty()) {
            problems.add(module.name() + ": the " + kind + " probe asks port " + probe.getHttpGet().getPort()
                    + ", which the container does not declare");
        }
    }

    /** The declared container port a Service or probe port (a number or a port name) refers to. */
    private static Optional<Integer> containerPort(Container container, IntOrString port) {
        return container.getPorts().stream()
                .filter(p -> port != null && (Objects.equals(port.getIntVal(), p.getContainerPort()) || Objects.equals(port.getStrVal(), p.getName())))
                .map(ContainerPort::getContainerPort).findFirst();
    }

    private static Optional<Long> runAsUser(StatefulSet set, Container container) {
        if (container.getSecurityContext() != null && container.getSecurityContext().getRunAsUser() != null) {
            return Optional.of(container.getSecurityContext().getRunAsUser());
        }
        return Optional.ofNullable(set.getSpec().getTemplate().getSpec().getSecurityContext()).map(PodSecurityContext::getRunAsUser);
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null && labels.entrySet().containsAll(selector.entrySet());
    }

    /** The service's container: the one named after it (the only one these pods run). */
    private static Container container(StatefulSet set) {
        List<Container> containers = set.getSpec().getTemplate().getSpec().getContainers();
        return containers.stream().filter(c -> c.getName().equals(set.getMetadata().getName())).findFirst().orElse(containers.get(0));
    }

    private interface ServiceCheck {
        void check(ServiceModule module, StatefulSet set, Container container);
    }

    private interface ImageCheck {
        void check(ServiceModule module, StatefulSet set, Container container, ImageRecipe image);
    }

    /** Runs the check for every service that has a StatefulSet (the structure test reports those that do not). */
    private void forEachService(ServiceCheck check) {
        for (ServiceModule module : ServiceModule.all()) {
            base.named(StatefulSet.class, module.name()).ifPresent(set -> check.check(module, set, container(set)));
        }
    }

    /** As {@link #forEachService}, once per image the service builds (JVM and native): the pod may run either. */
    private void forEachImage(ImageCheck check) {
        forEachService((module, set, container) -> module.images().forEach(image -> check.check(module, set, container, image)));
    }

    private static String where(ServiceModule module, ImageRecipe image) {
        return module.name() + " (" + Checks.ROOT.relativize(image.file) + "): ";
    }
}
