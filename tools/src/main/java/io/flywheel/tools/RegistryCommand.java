package io.flywheel.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Manage the Apicurio Registry that holds the Protobuf schemas.",
        subcommands = RegistryCommand.Init.class)
final class RegistryCommand {

    static final String COMPATIBILITY = "BACKWARD";

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Set the registry-wide compatibility rule to " + COMPATIBILITY
                    + " (a new field never breaks an old reader). Idempotent.")
    static final class Init implements Callable<Integer> {

        @Mixin
        RegistryOptions registry;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
                description = "How long to wait for the registry to answer (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        private final ObjectMapper json = new ObjectMapper();

        @Override
        public Integer call() throws Exception {
            URI rules = URI.create(registry.url() + "/admin/rules");
            URI rule = URI.create(registry.url() + "/admin/rules/COMPATIBILITY");
            String body = json.createObjectNode().put("ruleType", "COMPATIBILITY").put("config", COMPATIBILITY).toString();

            HttpResponse<String> current = getWhenReachable(rule);
            if (current.statusCode() == 200) {
                JsonNode existing = json.readTree(current.body());
                if (COMPATIBILITY.equals(existing.path("config").asText())) {
                    System.out.println("global COMPATIBILITY rule already " + COMPATIBILITY + " at " + registry.url());
                    return 0;
                }
                expect2xx(send(request(rule).PUT(HttpRequest.BodyPublishers.ofString(body))));
                System.out.println("global COMPATIBILITY rule changed from " + existing.path("config").asText()
                        + " to " + COMPATIBILITY + " at " + registry.url());
                return 0;
            }
            if (current.statusCode() != 404) {
                expect2xx(current);
            }
            expect2xx(send(request(rules).POST(HttpRequest.BodyPublishers.ofString(body))));
            System.out.println("global COMPATIBILITY rule set to " + COMPATIBILITY + " at " + registry.url());
            return 0;
        }

        /** GETs the URI, retrying while the registry is not reachable yet (it may still be starting). */
        private HttpResponse<String> getWhenReachable(URI uri) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            while (true) {
                try {
                    HttpResponse<String> response = send(request(uri).GET());
                    if (response.statusCode() != 503 || System.nanoTime() > deadline) {
                        return response;
                    }
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("registry not reachable at " + uri + " after " + waitSeconds + " s: " + e, e);
                    }
                }
                Thread.sleep(500);
            }
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        private static HttpRequest.Builder request(URI uri) {
            return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("Accept", "application/json");
        }

        private static void expect2xx(HttpResponse<String> response) {
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
        }
    }
}
