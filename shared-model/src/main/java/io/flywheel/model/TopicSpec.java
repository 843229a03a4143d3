package io.flywheel.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One topic of the catalogue: its name, what its records hold and how it is laid out.
 *
 * @param name        the topic name
 * @param keyDoc      what the (UTF-8 string) key is
 * @param valueType   the Protobuf value class, or {@code byte[].class} for raw topics (DLQs)
 * @param partitions  partition count the topic is created with
 * @param cleanup     delete or compact
 * @param retention   retention of a delete topic; empty for compacted topics (kept forever)
 * @param restricted  holds raw user text: readable by reviewers and operators only
 */
public record TopicSpec<V>(
        String name,
        String keyDoc,
        Class<V> valueType,
        int partitions,
        Cleanup cleanup,
        Optional<Duration> retention,
        boolean restricted) {

    public enum Cleanup {
        DELETE("delete"),
        COMPACT("compact");

        private final String configValue;

        Cleanup(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }
    }

    /** Topic-level configs to create the topic with. */
    public Map<String, String> topicConfigs() {
        return retention
                .map(r -> Map.of("cleanup.policy", cleanup.configValue(), "retention.ms", Long.toString(r.toMillis())))
                .orElseGet(() -> Map.of("cleanup.policy", cleanup.configValue()));
    }

    /** The same topic with another partition count (local stacks, tests). */
    public TopicSpec<V> withPartitions(int count) {
        return new TopicSpec<>(name, keyDoc, valueType, count, cleanup, retention, restricted);
    }
}
