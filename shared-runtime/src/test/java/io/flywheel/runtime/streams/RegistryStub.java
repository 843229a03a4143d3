package io.flywheel.runtime.streams;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Apicurio Registry v3 API, just enough for a serializer to register and
 * resolve a schema: each artifact creation answers with a new version. It can be made to answer
 * everything with one error status (503: an outage; 401: refused credentials) and to recover; it
 * listens on a free port of the loopback.
 */
final class RegistryStub implements AutoCloseable {

    private static final Pattern CREATE = Pattern.compile("/apis/registry/v3/groups/([^/]+)/artifacts");

    private final HttpServer server;
    private final AtomicInteger failWith = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    RegistryStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/registry/v3";
    }

    /** Answers every request with {@code status} until {@link #recover()}. */
    void failWith(int status) {
        failWith.set(status);
    }

    void recover() {
        failWith.set(0);
    }

    /** Every request received, as {@code METHOD path}. */
    List<String> requests() {
        return requests;
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        byte[] request = exchange.getRequestBody().readAllBytes();
        int status = failWith.get();
        if (status != 0) {
            reply(exchange, status, "{\"status\":" + status + ",\"title\":\"failing on purpose\"}");
            return;
        }
        Matcher create = CREATE.matcher(path);
        if (exchange.getRequestMethod().equals("POST") && create.matches()) {
            String body = new String(request, StandardCharsets.UTF_8);
            Matcher artifactId = Pattern.compile("\"artifactId\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
            String artifact = artifactId.find() ? artifactId.group(1) : "unknown";
            long id = ids.incrementAndGet();
            String version = "{\"groupId\":\"" + create.group(1) + "\",\"artifactId\":\"" + artifact + "\",\"version\":\"1\","
                    + "\"globalId\":" + id + ",\"contentId\":" + id + ",\"artifactType\":\"PROTOBUF\",\"state\":\"ENABLED\"}";
            reply(exchange, 200, "{\"artifact\":{\"groupId\":\"" + create.group(1) + "\",\"artifactId\":\"" + artifact
                    + "\",\"artifactType\":\"PROTOBUF\"},\"version\":" + version + "}");
            return;
        }
        reply(exchange, 404, "{\"status\":404,\"title\":\"not found\"}");
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
