package io.flywheel.testkit;

import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs a service under {@code @QuarkusTest} against the shared real broker and registry: every
 * catalogue topic and every service's dead-letter topic exist, the service listens on a free
 * port that is also its {@code application.server}, and its state lives in a fresh folder.
 *
 * <pre>{@code @QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)}</pre>
 */
public class FlywheelServiceResource implements QuarkusTestResourceLifecycleManager {

    private static volatile int port;

    /** The HTTP and gRPC port of the service under test. */
    public static int port() {
        return port;
    }

    @Override
    public Map<String, String> start() {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        stack.createTopics(Topics.ALL.toArray(new TopicSpec<?>[0]));
        stack.createTopics(Topics.deadLetter("feedback-aggregator", false), Topics.deadLetter("safety-filter", true),
                Topics.deadLetter("eval-sampler", false));
        port = freePort();
        try {
            Path stateDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "streams-state");
            return Map.of(
                    "kafka.bootstrap.servers", stack.bootstrapServers(),
                    "flywheel.registry.url", stack.registryUrl(),
                    "quarkus.http.test-port", Integer.toString(port),
                    "quarkus.kafka-streams.application-server", "localhost:" + port,
                    "kafka-streams.state.dir", stateDir.toAbsolutePath().toString());
        } catch (IOException e) {
            throw new IllegalStateException("could not create a state folder under target/", e);
        }
    }

    @Override
    public void stop() {
        // The shared stack stops with the JVM.
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
