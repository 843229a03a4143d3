package io.flywheel.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/** What a service under test says about itself on {@code /q/health/ready}. */
public final class ServiceHealth {

    private static final Pattern RUNNING = Pattern.compile("\"state\"\\s*:\\s*\"RUNNING\"");

    private ServiceHealth() {
    }

    /**
     * Asserts that the service is ready (HTTP 200, UP) with Kafka Streams RUNNING, waiting up to
     * {@code timeout} for a passing rebalance to end; fails with the last answer otherwise.
     */
    public static void assertReadyAndRunning(int port, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        do {
            try {
                HttpResponse<String> answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && RUNNING.matcher(answer.body()).find()) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not ready with Kafka Streams RUNNING within " + timeout + "; last answer: " + last);
    }
}
