package io.flywheel.tools;

import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Manage the topics of the catalogue (io.flywheel.model.Topics).",
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand {

    /** The Streams applications of the mesh and whether their dead letters are restricted (raw user text). */
    static final Map<String, Boolean> APPLICATION_DLQS = dlqs();

    private static Map<String, Boolean> dlqs() {
        Map<String, Boolean> dlqs = new LinkedHashMap<>();
        dlqs.put("feedback-aggregator", false);
        dlqs.put("safety-filter", true);
        dlqs.put("eval-sampler", false);
        return dlqs;
    }

    /** Every topic of the mesh: the catalogue plus each application's dead-letter topic. */
    static List<TopicSpec<?>> meshTopics(Integer partitions) {
        List<TopicSpec<?>> topics = new ArrayList<>();
        for (TopicSpec<?> topic : Topics.ALL) {
            // Only the conversation-wide count is overridable: single-partition topics stay single.
            boolean overridable = partitions != null && topic.partitions() == Topics.CONVERSATION_PARTITIONS;
            topics.add(overridable ? topic.withPartitions(partitions) : topic);
        }
        APPLICATION_DLQS.forEach((applicationId, restricted) -> topics.add(Topics.deadLetter(applicationId, restricted)));
        return topics;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create every catalogue topic and the dead-letter topics of "
                    + "feedback-aggregator, safety-filter and eval-sampler. Idempotent: existing topics are reported, not changed."})
    static final class Create implements Callable<Integer> {

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partition count for the conversation-keyed topics (default: the catalogue's, "
                        + Topics.CONVERSATION_PARTITIONS + "). Single-partition topics keep one.")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Replication factor (default: the broker's default.replication.factor).")
        Short replicationFactor;

        @Override
        public Integer call() throws Exception {
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1");
            }
            List<TopicSpec<?>> wanted = meshTopics(partitions);
            int mismatched = 0;
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                Set<String> existing = admin.listTopics().names().get();
                List<NewTopic> toCreate = new ArrayList<>();
                for (TopicSpec<?> topic : wanted) {
                    if (!existing.contains(topic.name())) {
                        toCreate.add(new NewTopic(topic.name(), Optional.of(topic.partitions()), Optional.ofNullable(replicationFactor))
                                .configs(topic.topicConfigs()));
                    }
                }
                Map<String, Throwable> failures = new LinkedHashMap<>();
                List<String> raced = new ArrayList<>();
                admin.createTopics(toCreate).values().forEach((name, future) -> {
                    try {
                        future.get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException) {
                            raced.add(name);
                        } else {
                            failures.put(name, e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failures.put(name, e);
                    }
                });
                Map<String, TopicDescription> described = admin.describeTopics(
                        wanted.stream().map(TopicSpec::name).filter(n -> !failures.containsKey(n)).toList()).allTopicNames().get();
                for (TopicSpec<?> topic : wanted) {
                    if (failures.containsKey(topic.name())) {
                        System.out.printf("FAILED   %-28s %s%n", topic.name(), failures.get(topic.name()).getMessage());
                        continue;
                    }
                    boolean created = !existing.contains(topic.name()) && !raced.contains(topic.name());
                    int actual = described.get(topic.name()).partitions().size();
                    String note = "";
                    if (actual != topic.partitions()) {
                        mismatched++;
                        note = "  WARNING: wanted " + topic.partitions() + " partitions";
                    }
                    System.out.printf("%-8s %-28s partitions=%-3d %s%s%n", created ? "created" : "exists", topic.name(), actual,
                            describe(topic), note);
                }
                if (!failures.isEmpty()) {
                    System.err.println(failures.size() + " topic(s) could not be created");
                    return 1;
                }
                long createdCount = toCreate.size() - raced.size();
                System.out.printf("%d topic(s) created, %d already there%s%n", createdCount, wanted.size() - createdCount,
                        mismatched > 0 ? ", " + mismatched + " with another partition count than wanted" : "");
            }
            return 0;
        }

        private static String describe(TopicSpec<?> topic) {
            String retention = topic.retention().map(Create::days).orElse("forever");
            return "cleanup=" + topic.cleanup().configValue() + " retention=" + retention + (topic.restricted() ? " restricted" : "");
        }

        private static String days(Duration duration) {
            return duration.toDays() + "d";
        }
    }
}
