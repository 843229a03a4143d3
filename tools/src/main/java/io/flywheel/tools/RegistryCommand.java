package io.flywheel.tools;

import io.flywheel.registry.RegistryAdmin;
import io.flywheel.registry.RegistryProcess;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run and set up the Apicurio Registry that holds the Protobuf schemas.",
        subcommands = {RegistryCommand.Init.class, RegistryCommand.Run.class})
final class RegistryCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Set the registry-wide compatibility rule to " + RegistryAdmin.MESH_COMPATIBILITY
                    + " (a new field never breaks an old reader). Idempotent.")
    static final class Init implements Callable<Integer> {

        @Mixin
        RegistryOptions registry;

        @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
                description = "How long to wait for the registry to answer, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
        Duration wait;

        @Override
        public Integer call() throws Exception {
            RegistryAdmin.RuleChange change = new RegistryAdmin(registry.url())
                    .ensureGlobalCompatibility(RegistryAdmin.MESH_COMPATIBILITY, wait);
            String outcome = change.before()
                    .map(before -> change.changed() ? "changed from " + before + " to " + change.after() : "already " + before)
                    .orElse("set to " + change.after());
            System.out.println("global COMPATIBILITY rule " + outcome + " at " + registry.url());
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run an Apicurio Registry in the foreground until this command is stopped (SIGTERM or "
                    + "Ctrl-C stop the registry too): the distribution from the local Maven repository, on a Java 21+ "
                    + "runtime (FLYWHEEL_JAVA21_HOME, else JAVA_HOME if 21+, else this JVM if 21+, else the first 21+ "
                    + "under /usr/lib/jvm). Schemas are kept in memory, or in Kafka with --kafka-storage."})
    static final class Run implements Callable<Integer> {

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "18080",
                description = "HTTP port of the API (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--management-port", paramLabel = "PORT", defaultValue = "18081",
                description = "Port of /health/ready and metrics (default: ${DEFAULT-VALUE}).")
        int managementPort;

        @Option(names = "--kafka-storage", paramLabel = "HOST:PORT[,...]",
                description = "Keep the schemas in Kafka at these bootstrap servers (topic kafkasql-journal), so they "
                        + "outlive a restart; default: in memory.")
        String kafkaStorage;

        @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "120s",
                description = "How long the registry may take to become ready, e.g. 90s, 3m (default: ${DEFAULT-VALUE}).")
        Duration readyTimeout;

        @Override
        public Integer call() throws Exception {
            Map<String, String> storage = kafkaStorage == null ? Map.of() : RegistryProcess.kafkaStorage(kafkaStorage);
            try (RegistryProcess registry = RegistryProcess.start(port, managementPort, storage,
                    ProcessBuilder.Redirect.INHERIT, readyTimeout)) {
                // A SIGTERM runs shutdown hooks, not finally blocks: stop the registry there too.
                Thread stopOnExit = new Thread(registry::close, "registry-stop");
                Runtime.getRuntime().addShutdownHook(stopOnExit);
                try {
                    System.out.println("registry ready at " + registry.apiUrl() + " (health on port " + managementPort + ")");
                    int exit = registry.waitFor();
                    System.err.println("registry exited with " + exit);
                    return exit == 0 ? 0 : 1;
                } finally {
                    removeHook(stopOnExit);
                }
            }
        }

        private static void removeHook(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }
}
