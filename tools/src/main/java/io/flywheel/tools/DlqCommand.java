package io.flywheel.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flywheel.model.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Read a service's dead-letter topic (<application-id>.dlq).",
        subcommands = DlqCommand.Consume.class)
final class DlqCommand {

    private static final String HEADER_PREFIX = "flywheel.dlq.";

    @Command(name = "consume", mixinStandardHelpOptions = true,
            description = {"Read a dead-letter topic from the beginning (committed records only) and print each dead letter "
                    + "as one JSON line: partition, offset, key, the size of the value kept, and every flywheel.dlq.* header "
                    + "(source topic, partition and offset, error class and message, application id, original lengths of a "
                    + "value or key that was cut)."})
    static final class Consume implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper();

        @Parameters(paramLabel = "APPLICATION-ID", description = "The service whose dead letters to read: "
                + "feedback-aggregator, safety-filter or eval-sampler.")
        String applicationId;

        @Mixin
        KafkaOptions kafka;

        @Mixin
        ReadOptions reading;

        @Option(names = "--values", description = "Also print each value, base64 (the safety-filter's hold raw user text).")
        boolean values;

        @Override
        public Integer call() throws Exception {
            String topic = Topics.deadLetter(applicationId, false).name();
            long read = TopicReader.fromStart(kafka, reading, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    record -> {
                        ObjectNode line = JSON.createObjectNode()
                                .put("partition", record.partition())
                                .put("offset", record.offset())
                                .put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8))
                                .put("value_bytes", record.value() == null ? 0 : record.value().length);
                        for (Header header : record.headers()) {
                            if (header.key().startsWith(HEADER_PREFIX) && header.value() != null) {
                                line.put(header.key().substring(HEADER_PREFIX.length()), new String(header.value(), StandardCharsets.UTF_8));
                            }
                        }
                        if (values && record.value() != null) {
                            line.put("value_base64", Base64.getEncoder().encodeToString(record.value()));
                        }
                        System.out.println(JSON.writeValueAsString(line));
                    });
            System.err.printf("read %d dead letter(s) from %s%n", read, topic);
            return 0;
        }
    }
}
