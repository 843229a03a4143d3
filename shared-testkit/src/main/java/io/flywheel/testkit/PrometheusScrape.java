package io.flywheel.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * A service's {@code /q/metrics} as series (name and labels, as exposed) to value, for tests that
 * check the domain metrics after known traffic.
 *
 * <pre>{@code
 * PrometheusScrape metrics = new PrometheusScrape(port);
 * Map<String, Double> before = metrics.scrape();
 * // ... traffic ...
 * Map<String, Double> after = metrics.awaitGrowth(before, "flywheel_records_in_total{topic=\"feedback.events\"}", 4);
 * assertEquals(1, PrometheusScrape.delta(before, after, "flywheel_records_dead_lettered_total{...}"));
 * }</pre>
 */
public final class PrometheusScrape {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /** One more commit interval after a series got there, so nothing of the same batch is still counting. */
    private static final long SETTLE_MS = 500;

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;

    public PrometheusScrape(int port) {
        this.uri = URI.create("http://localhost:" + port + "/q/metrics");
    }

    /** Every series of one scrape; fails unless the endpoint answers 200. */
    public Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(uri + " answered " + response.statusCode());
        }
        Map<String, Double> series = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    /** Scrapes until {@code series} has grown by at least {@code by} since {@code before}; fails after three minutes. */
    public Map<String, Double> awaitGrowth(Map<String, Double> before, String series, double by)
            throws IOException, InterruptedException {
        return await(before, series, value -> value - before.getOrDefault(series, 0.0) >= by);
    }

    /** Scrapes until {@code series} exists and its value satisfies {@code done}; fails after three minutes. */
    public Map<String, Double> await(Map<String, Double> before, String series, DoublePredicate done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            Map<String, Double> now = scrape();
            if (now.containsKey(series) && done.test(now.get(series))) {
                Thread.sleep(SETTLE_MS);
                return scrape();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(series + " did not get there: " + now.get(series) + " (was " + before.get(series) + ")");
            }
            Thread.sleep(200);
        }
    }

    /** How much {@code series} grew between two scrapes; fails if the later scrape does not have it. */
    public static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        if (!after.containsKey(series)) {
            throw new AssertionError(series + " not in " + domainSeries(after).keySet());
        }
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    /** The sum over every series that starts with {@code prefix}, e.g. {@code flywheel_sampler_samples_total{reason="safety",}. */
    public static double sum(Map<String, Double> scrape, String prefix) {
        return scrape.entrySet().stream().filter(series -> series.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The project's own series ({@code flywheel_*}) of a scrape. */
    public static Map<String, Double> domainSeries(Map<String, Double> scrape) {
        Map<String, Double> domain = new HashMap<>();
        scrape.forEach((series, value) -> {
            if (series.startsWith("flywheel_")) {
                domain.put(series, value);
            }
        });
        return domain;
    }
}
