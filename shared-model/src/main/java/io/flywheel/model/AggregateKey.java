package io.flywheel.model;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The key of a feedback aggregate: (model name, model version, prompt version), plus the cohort
 * bucket's start for bucket aggregates. Its text form is the Kafka key of
 * {@code feedback.aggregates} and {@code feedback.alerts}: the three parts URL-encoded and joined
 * by '/', then {@code @<bucket start ISO-8601>} for a bucket, e.g.
 * {@code gpt-4o/2024-08-06/checkout-v3@2026-11-26T05:00:00Z}. Keys of one model sort together.
 */
public record AggregateKey(String modelName, String modelVersion, String promptVersion, Optional<Instant> bucketStart)
        implements Comparable<AggregateKey> {

    public AggregateKey {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(promptVersion, "promptVersion");
        Objects.requireNonNull(bucketStart, "bucketStart");
    }

    public static AggregateKey allTime(String modelName, String modelVersion, String promptVersion) {
        return new AggregateKey(modelName, modelVersion, promptVersion, Optional.empty());
    }

    public AggregateKey bucket(Instant start) {
        return new AggregateKey(modelName, modelVersion, promptVersion, Optional.of(start));
    }

    /** The model key: this key without its bucket. */
    public AggregateKey modelKey() {
        return bucketStart.isEmpty() ? this : allTime(modelName, modelVersion, promptVersion);
    }

    public boolean isAllTime() {
        return bucketStart.isEmpty();
    }

    /** The Kafka key text. */
    public String encode() {
        String model = enc(modelName) + '/' + enc(modelVersion) + '/' + enc(promptVersion);
        return bucketStart.map(start -> model + '@' + start).orElse(model);
    }

    /** Parses {@link #encode()}'s text; throws IllegalArgumentException on anything else. */
    public static AggregateKey decode(String text) {
        int at = text.indexOf('@');
        String model = at < 0 ? text : text.substring(0, at);
        String[] parts = model.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an aggregate key (want name/version/prompt[@bucket]): " + text);
        }
        Optional<Instant> bucket = at < 0 ? Optional.empty() : Optional.of(Instant.parse(text.substring(at + 1)));
        return new AggregateKey(dec(parts[0]), dec(parts[1]), dec(parts[2]), bucket);
    }

    @Override
    public int compareTo(AggregateKey other) {
        return encode().compareTo(other.encode());
    }

    @Override
    public String toString() {
        return encode();
    }

    private static String enc(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }

    private static String dec(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
