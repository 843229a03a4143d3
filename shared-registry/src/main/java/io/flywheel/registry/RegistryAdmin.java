package io.flywheel.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The registry-wide rules of an Apicurio Registry (v3 REST API), set the same way by the CLI and the test kit. */
public final class RegistryAdmin {

    /** The mesh's rule: a new schema version must read data written with the previous one. */
    public static final String MESH_COMPATIBILITY = "BACKWARD";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** @param apiUrl base URL of the v3 API, e.g. {@code http://127.0.0.1:18080/apis/registry/v3} */
    public RegistryAdmin(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    /** What {@link #ensureGlobalCompatibility} found and left. */
    public record RuleChange(Optional<String> before, String after) {
        public boolean changed() {
            return before.filter(after::equals).isEmpty();
        }
    }

    /**
     * Makes the registry-wide COMPATIBILITY rule {@code level}: creates it, changes it, or leaves it
     * as it is. Idempotent.
     *
     * @param wait how long to wait for a registry that is not reachable yet (it may still be starting)
     */
    public RuleChange ensureGlobalCompatibility(String level, Duration wait) throws IOException, InterruptedException {
        URI rule = URI.create(apiUrl + "/admin/rules/COMPATIBILITY");
        String body = JSON.createObjectNode().put("ruleType", "COMPATIBILITY").put("config", level).toString();
        HttpResponse<String> current = getWhenReachable(rule, wait);
        if (current.statusCode() == 404) {
            expect2xx(send(request(URI.create(apiUrl + "/admin/rules")).POST(HttpRequest.BodyPublishers.ofString(body))));
            return new RuleChange(Optional.empty(), level);
        }
        expect2xx(current);
        String before = JSON.readTree(current.body()).path("config").asText();
        if (!level.equals(before)) {
            expect2xx(send(request(rule).PUT(HttpRequest.BodyPublishers.ofString(body))));
        }
        return new RuleChange(Optional.of(before), level);
    }

    /** GETs the URI, retrying while the registry is unreachable or answers 503 (starting). */
    private HttpResponse<String> getWhenReachable(URI uri, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                HttpResponse<String> response = send(request(uri).GET());
                if (response.statusCode() != 503 || System.nanoTime() > deadline) {
                    return response;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("registry not reachable at " + uri + " within " + wait + ": " + e, e);
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
