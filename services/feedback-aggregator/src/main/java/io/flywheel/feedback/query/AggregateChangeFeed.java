package io.flywheel.feedback.query;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Committed all-time aggregates, for watch streams. A read_committed consumer tails
 * {@code feedback.aggregates} (every partition, no group), keeps the latest committed value of
 * each all-time key and pushes each change to the key's watchers. Values a crash could roll back
 * never reach a watcher, and the feed does not care which instance owns the key. A new watch
 * gets its snapshot once the feed has read to the end of the topic (no lag, read_committed).
 */
@ApplicationScoped
public class AggregateChangeFeed {

    private static final Logger LOG = Logger.getLogger(AggregateChangeFeed.class);
    /** How long a new watch may wait for the feed to read to the end of the topic before it is told to retry. */
    private static final Duration SNAPSHOT_PATIENCE = Duration.ofSeconds(10);

    private final CommittedAggregates committed = new CommittedAggregates();
    /** Where reading resumes after a reconnect: the offset after the last record taken, per partition. */
    private final Map<TopicPartition, Long> resumeAt = new ConcurrentHashMap<>();
    private final String bootstrapServers;
    private final ProtobufSerdes serdes;
    private volatile KafkaConsumer<String, FeedbackAggregate> consumer;
    private volatile boolean running = true;
    private Thread poller;

    public AggregateChangeFeed(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, ProtobufSerdes serdes) {
        this.bootstrapServers = bootstrapServers;
        this.serdes = serdes;
    }

    void start(@Observes StartupEvent event) {
        poller = new Thread(this::pollCommitted, "aggregate-change-feed");
        poller.setDaemon(true);
        poller.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, FeedbackAggregate> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        committed.completeAll();
    }

    /** The committed value of {@code key} now (if any), then every newer committed value. */
    Multi<CommittedAggregates.Change> watch(String key) {
        return committed.watch(key);
    }

    private void pollCommitted() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "aggregate-change-feed-" + UUID.randomUUID());
        while (running) {
            try (KafkaConsumer<String, FeedbackAggregate> kafka = new KafkaConsumer<>(config, new StringDeserializer(),
                    serdes.valueDeserializer(FeedbackAggregate.class))) {
                consumer = kafka;
                List<PartitionInfo> partitions = kafka.partitionsFor(Topics.FEEDBACK_AGGREGATES.name(), Duration.ofSeconds(10));
                if (partitions == null || partitions.isEmpty()) {
                    sleepQuietly(2_000);
                    continue;
                }
                List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                kafka.assign(assigned);
                resume(kafka, assigned);
                while (running) {
                    long read = committed.startRead();
                    for (ConsumerRecord<String, FeedbackAggregate> record : kafka.poll(Duration.ofMillis(500))) {
                        if (record.key() != null && record.value() != null && isAllTimeKey(record)) {
                            committed.apply(record.key(), record.offset(), record.value());
                        }
                        resumeAt.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    }
                    if (assigned.stream().allMatch(partition -> kafka.currentLag(partition).orElse(-1) == 0)) {
                        committed.caughtUp(read);
                    }
                    committed.failWaiting(SNAPSHOT_PATIENCE);
                }
            } catch (WakeupException e) {
                return;
            } catch (RecordDeserializationException e) {
                // An undecodable record would stop the feed at the same offset on every reconnect: step over it.
                LOG.warnf("aggregate change feed skips %s@%d: %s", e.topicPartition(), e.offset(), e.getMessage());
                resumeAt.put(e.topicPartition(), e.offset() + 1);
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("aggregate change feed failed, reconnecting: %s", e.toString());
                    sleepQuietly(2_000);
                }
            }
        }
    }

    /** A key the aggregator did not write (another producer on the topic) is stepped over, not a reason to stop the feed. */
    private static boolean isAllTimeKey(ConsumerRecord<String, FeedbackAggregate> record) {
        try {
            return AggregateKey.decode(record.key()).isAllTime();
        } catch (RuntimeException e) {
            LOG.debugf("aggregate change feed skips %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return false;
        }
    }

    /** After an error, reading goes on where it stopped; a partition not read yet starts at the beginning. */
    private void resume(KafkaConsumer<String, FeedbackAggregate> kafka, List<TopicPartition> assigned) {
        List<TopicPartition> fresh = assigned.stream().filter(partition -> !resumeAt.containsKey(partition)).toList();
        kafka.seekToBeginning(fresh);
        assigned.stream().filter(resumeAt::containsKey).forEach(partition -> kafka.seek(partition, resumeAt.get(partition)));
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
