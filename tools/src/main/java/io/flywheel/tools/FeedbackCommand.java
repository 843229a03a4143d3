package io.flywheel.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = "Produce and read user feedback (feedback.events).",
        subcommands = {FeedbackCommand.Produce.class, FeedbackCommand.Consume.class, FreshnessProbe.class})
final class FeedbackCommand {

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = {"Generate realistic FeedbackEvents (thumbs, ratings, vote changes, clears, regenerations, "
                    + "copies, reports; a few late and a few redelivered) keyed by conversation_id, "
                    + "serialized through the registry, partitioned by Kafka's default murmur2."})
    static final class Produce implements Callable<Integer> {

        @Mixin
        TrafficOptions traffic;

        @Option(names = "--occurred-at", paramLabel = "SECONDS",
                description = {"Set every event's occurred_at to this many seconds since 1970, unchecked, to see what the "
                        + "services do with a client's bad clock: e.g. 253402300800 (outside protobuf Timestamp's range, "
                        + "year 10000) or 4102444800 (2100-01-01). Such events go to the readers' dead-letter topics."})
        Long occurredAtSeconds;

        @Override
        public Integer call() throws Exception {
            FeedbackTraffic feedback = new FeedbackTraffic(traffic.seed(), traffic.models(), Instant::now);
            Supplier<FeedbackEvent> next = occurredAtSeconds == null ? feedback::next : () -> feedback.next().toBuilder()
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(occurredAtSeconds)).build();
            Map<String, Long> perModel = new TreeMap<>();
            PacedSender.Outcome outcome = PacedSender.send(traffic, Topics.FEEDBACK_EVENTS, next,
                    FeedbackEvent::getConversationId,
                    event -> perModel.merge(event.getModel().getName() + "/" + event.getModel().getVersion() + "/"
                            + event.getPromptVersion(), 1L, Long::sum));

            System.out.printf("sent %d feedback events to %s in %.1f s (%.0f/s), seed %d%n", outcome.acknowledged(),
                    Topics.FEEDBACK_EVENTS.name(), outcome.seconds(), outcome.perSecond(), traffic.seed());
            System.out.println("by kind:      " + new TreeMap<>(feedback.counts()) + ", late " + feedback.late());
            System.out.println("by model key: " + perModel);
            System.out.println("by partition: " + outcome.partitions());
            if (outcome.failure() != null) {
                System.err.println("send failed: " + outcome.failure());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "consume", mixinStandardHelpOptions = true,
            description = {"Read feedback.events from the beginning (committed records only), decoded through the "
                    + "registry, and print each as one JSON line with its partition and offset."})
    static final class Consume implements Callable<Integer> {

        private static final ObjectMapper KEY_JSON = new ObjectMapper();

        @Mixin
        KafkaOptions kafka;

        @Mixin
        RegistryOptions registry;

        @Mixin
        ReadOptions reading;

        @Option(names = "--quiet", description = "Print only the summary.")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            JsonFormat.Printer json = JsonFormat.printer().omittingInsignificantWhitespace();
            long read = TopicReader.fromStart(kafka, reading, Topics.FEEDBACK_EVENTS.name(), new StringDeserializer(),
                    serdes.valueDeserializer(FeedbackEvent.class), record -> {
                        if (!quiet) {
                            System.out.println("{\"partition\":" + record.partition() + ",\"offset\":" + record.offset()
                                    + ",\"key\":" + KEY_JSON.writeValueAsString(record.key()) + ",\"value\":" + json.print(record.value()) + "}");
                        }
                    });
            System.err.printf("read %d feedback event(s) from %s%n", read, Topics.FEEDBACK_EVENTS.name());
            return 0;
        }
    }
}
