package io.flywheel.verification.mesh;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until the mesh has done all the work: every service group has committed the end of the
 * two input topics, and no topic has grown for a quiet period (repartitions and flushes settled).
 */
public final class Drain {

    private static final List<String> GROUPS = List.of("safety-filter", "feedback-aggregator", "eval-sampler");
    private static final List<String> INPUTS = List.of("llm.completions", "feedback.events", "llm.completions.screened");

    private Drain() {
    }

    /** Returns how long draining took; throws with the remaining lag if it did not finish in time. */
    public static Duration await(Mesh mesh, Duration quiet, Duration timeout) throws Exception {
        String bootstrapServers = mesh.bootstrapServers();
        long start = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, Long> lastEnds = Map.of();
            long quietSince = System.nanoTime();
            String lag = "";
            long failedSince = -1;
            while (System.nanoTime() - start < timeout.toNanos()) {
                // A service whose every instance failed (a poison pill) will never drain: say so early.
                String failed = mesh.failedServices();
                if (failed.isEmpty()) {
                    failedSince = -1;
                } else if (failedSince < 0) {
                    failedSince = System.nanoTime();
                } else if (System.nanoTime() - failedSince > Duration.ofSeconds(90).toNanos()) {
                    throw new IllegalStateException("the mesh cannot drain: no live instance of " + failed
                            + " for 90 s (see their logs); lag: " + inputLag(admin, endOffsets(admin)));
                }
                Map<TopicPartition, Long> ends = endOffsets(admin);
                if (!ends.equals(lastEnds)) {
                    lastEnds = ends;
                    quietSince = System.nanoTime();
                }
                lag = inputLag(admin, ends);
                if (lag.isEmpty() && System.nanoTime() - quietSince >= quiet.toNanos()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                Thread.sleep(1000);
            }
            throw new IllegalStateException("the mesh did not drain within " + timeout + "; lag: " + lag);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        var topics = admin.listTopics().names().get().stream().filter(t -> !t.startsWith("__") && !t.equals("kafkasql-journal")).toList();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().values().forEach(d ->
                d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        return admin.listOffsets(request).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** The groups' remaining lag on their external inputs, as text; empty when all is consumed. */
    private static String inputLag(Admin admin, Map<TopicPartition, Long> ends) throws Exception {
        StringBuilder lag = new StringBuilder();
        for (String group : GROUPS) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            long total = 0;
            for (var end : ends.entrySet()) {
                if (!INPUTS.contains(end.getKey().topic()) || !consumes(group, end.getKey().topic())) {
                    continue;
                }
                OffsetAndMetadata at = committed.get(end.getKey());
                total += end.getValue() - (at == null ? 0 : at.offset());
            }
            if (total > 0) {
                lag.append(group).append('=').append(total).append(' ');
            }
        }
        return lag.toString().trim();
    }

    private static boolean consumes(String group, String topic) {
        return switch (group) {
            case "safety-filter" -> topic.equals("llm.completions");
            case "feedback-aggregator" -> topic.equals("feedback.events");
            default -> topic.equals("feedback.events") || topic.equals("llm.completions.screened");
        };
    }

}
