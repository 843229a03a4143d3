package io.flywheel.tools;

import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.PolicyPackFile;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "policies", mixinStandardHelpOptions = true,
        description = "Manage the safety-filter's policies (the compacted safety.policies topic).",
        subcommands = PoliciesCommand.Apply.class)
final class PoliciesCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Compare a policy-pack file (the format of the safety-filter's default pack) with the current "
                    + "content of safety.policies, print the difference (added, changed with the fields that differ, "
                    + "removed) and write it: one record per added or changed policy, keyed by id. Policies on the topic "
                    + "but not in the file are removed (tombstones) only with --prune; a tombstone of a default policy's id "
                    + "brings the default back. Every safety-filter instance applies the change within seconds."})
    static final class Apply implements Callable<Integer> {

        @Mixin
        KafkaOptions kafka;

        @Mixin
        RegistryOptions registry;

        @Option(names = "--file", paramLabel = "PACK.yaml", required = true, description = "The policy-pack file to apply.")
        Path file;

        @Option(names = "--dry-run", description = "Print the difference; write nothing.")
        boolean dryRun;

        @Option(names = "--prune", description = "Also remove (tombstone) policies on the topic that the file does not list.")
        boolean prune;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                description = "How long to wait for the broker, at least 2s, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            if (timeout.compareTo(Duration.ofSeconds(2)) < 0) {
                throw new IllegalArgumentException("--timeout must be at least 2s");
            }
            PolicyPackFile pack = PolicyPackFile.parse(Files.readAllBytes(file));
            for (SafetyPolicy policy : pack.policies()) {
                if (policy.getId().isBlank()) {
                    throw new IllegalArgumentException(file + ": every policy needs an id (the record key)");
                }
            }
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            Map<String, Optional<SafetyPolicy>> current = readCurrent(serdes.valueDeserializer(SafetyPolicy.class));
            PolicyDiff diff = PolicyDiff.between(current, pack.policies());

            System.out.printf("%s holds %d policies; %s lists %d (pack hash %s)%n", Topics.SAFETY_POLICIES.name(),
                    current.size(), file, pack.policies().size(), pack.hash());
            diff.added().forEach(id -> System.out.println("  + added     " + id));
            diff.changed().forEach((id, fields) -> System.out.println("  ~ changed   " + id + "  (" + String.join(", ", fields) + ")"));
            diff.removed().forEach(id -> System.out.println("  - " + (prune ? "removed   " : "not in file (kept; --prune removes it) ") + id));
            System.out.println("  = unchanged " + diff.unchanged().size());

            if (dryRun) {
                System.out.println("dry run: nothing written");
                return 0;
            }
            if (diff.isEmpty(prune)) {
                System.out.println("nothing to write");
                return 0;
            }
            Map<String, SafetyPolicy> byId = new HashMap<>();
            pack.policies().forEach(policy -> byId.put(policy.getId(), policy));
            Map<String, Object> config = kafka.clientConfig();
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            // Must leave room for linger.ms inside delivery.timeout.ms.
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout.toMillis() / 2));
            String topic = Topics.SAFETY_POLICIES.name();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            int records = 0;
            int tombstones = 0;
            try (KafkaProducer<String, SafetyPolicy> producer = new KafkaProducer<>(config, new StringSerializer(),
                    serdes.valueSerializer(SafetyPolicy.class))) {
                for (String id : diff.added()) {
                    sent.add(producer.send(new ProducerRecord<>(topic, id, byId.get(id))));
                    records++;
                }
                for (String id : diff.changed().keySet()) {
                    sent.add(producer.send(new ProducerRecord<>(topic, id, byId.get(id))));
                    records++;
                }
                if (prune) {
                    for (String id : diff.removed()) {
                        sent.add(producer.send(new ProducerRecord<>(topic, id, null)));
                        tombstones++;
                    }
                }
                producer.flush();
            }
            long first = Long.MAX_VALUE;
            long last = -1;
            for (Future<RecordMetadata> ack : sent) {
                long offset = ack.get().offset();
                first = Math.min(first, offset);
                last = Math.max(last, offset);
            }
            System.out.printf("applied: %d record(s), %d tombstone(s) at offsets %d..%d of %s%n", records, tombstones,
                    first, last, topic);
            return 0;
        }

        /** The topic's latest record per id, read to its end (committed records only); empty when unreadable. */
        private Map<String, Optional<SafetyPolicy>> readCurrent(Deserializer<SafetyPolicy> values) {
            Map<String, Object> config = kafka.clientConfig();
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            Map<String, Optional<SafetyPolicy>> current = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                // Assigned, not subscribed: no consumer group is created.
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.SAFETY_POLICIES.name(), timeout).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
                long deadline = System.nanoTime() + timeout.toNanos();
                while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + Topics.SAFETY_POLICIES.name() + " to its end in "
                                + timeout);
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.key() == null) {
                            continue;
                        }
                        String id = new String(record.key(), StandardCharsets.UTF_8);
                        if (record.value() == null) {
                            current.remove(id);
                            continue;
                        }
                        try {
                            current.put(id, Optional.ofNullable(values.deserialize(record.topic(), record.headers(), record.value())));
                        } catch (RuntimeException e) {
                            System.err.printf("warning: %s at offset %d is not a readable SafetyPolicy: %s%n", id,
                                    record.offset(), e.getMessage());
                            current.put(id, Optional.empty());
                        }
                    }
                }
            }
            return current;
        }
    }
}
