package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.Topics;
import io.flywheel.testkit.FlywheelTestStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** The CLI against a real broker and registry. */
class FlywheelToolsIT {

    private final FlywheelTestStack stack = FlywheelTestStack.shared();

    @Test
    void topicsCreateIsIdempotent() throws Exception {
        int before;
        try (Admin admin = stack.adminClient()) {
            before = (int) TopicsCommand.meshTopics(null).stream().filter(t -> {
                try {
                    return admin.listTopics().names().get().contains(t.name());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).count();
        }
        String first = run("topics", "create", "--bootstrap-servers", stack.bootstrapServers());
        assertTrue(first.contains((13 - before) + " topic(s) created, " + before + " already there"), first);
        String second = run("topics", "create", "--bootstrap-servers", stack.bootstrapServers());
        assertTrue(second.contains("0 topic(s) created, 13 already there"), second);
        try (Admin admin = stack.adminClient()) {
            Set<String> names = admin.listTopics().names().get();
            assertTrue(names.containsAll(List.of("feedback.events", "safety.policies", "safety-filter.dlq",
                    "feedback-aggregator.dlq", "eval-sampler.dlq")), names.toString());
        }
    }

    @Test
    void registryInitSetsBackwardAndIsIdempotent() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> loosened = http.send(HttpRequest.newBuilder(URI.create(stack.registryUrl() + "/admin/rules/COMPATIBILITY"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"ruleType\":\"COMPATIBILITY\",\"config\":\"NONE\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, loosened.statusCode(), loosened.body());

        String changed = run("registry", "init", "--registry-url", stack.registryUrl());
        assertTrue(changed.contains("changed from NONE to BACKWARD"), changed);
        String again = run("registry", "init", "--registry-url", stack.registryUrl());
        assertTrue(again.contains("already BACKWARD"), again);
    }

    @Test
    void registryRunServesUntilStoppedWithSchemasInKafka() throws Exception {
        int port = freePort();
        int managementPort = freePort();
        Thread run = new Thread(() -> FlywheelTools.commandLine().execute("registry", "run",
                "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort),
                "--kafka-storage", stack.bootstrapServers(), "--ready-timeout", "3m"), "registry-run");
        run.start();
        try {
            String url = "http://127.0.0.1:" + port + "/apis/registry/v3";
            String init = run("registry", "init", "--registry-url", url, "--wait", "3m");
            assertTrue(init.contains("global COMPATIBILITY rule set to BACKWARD"), init);
            try (Admin admin = stack.adminClient()) {
                assertTrue(admin.listTopics().names().get().contains("kafkasql-journal"), "schemas kept in Kafka");
            }
        } finally {
            // The command ends its registry when interrupted, as it does on SIGTERM.
            run.interrupt();
            run.join(Duration.ofSeconds(30).toMillis());
        }
        assertFalse(run.isAlive(), "registry run did not return");
        assertFalse(listening(port), "the registry still listens on " + port);
    }

    @Test
    void feedbackProduceSendsDecodableEventsPartitionedByConversation() throws Exception {
        stack.createTopics(Topics.FEEDBACK_EVENTS);
        List<ConsumerRecord<String, FeedbackEvent>> before = stack.readCommitted(Topics.FEEDBACK_EVENTS, Integer.MAX_VALUE, Duration.ofSeconds(3));

        String summary = run("feedback", "produce", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--count", "400", "--models", "3", "--seed", "5");
        assertTrue(summary.contains("sent 400 feedback events"), summary);

        List<ConsumerRecord<String, FeedbackEvent>> all = stack.readCommitted(Topics.FEEDBACK_EVENTS, before.size() + 400, Duration.ofSeconds(30));
        assertEquals(before.size() + 400, all.size());
        for (ConsumerRecord<String, FeedbackEvent> record : all) {
            assertEquals(record.value().getConversationId(), record.key());
            // Kafka's default partitioner (murmur2), so feedback is co-partitioned with completions.
            int expected = Utils.toPositive(Utils.murmur2(record.key().getBytes(StandardCharsets.UTF_8))) % Topics.CONVERSATION_PARTITIONS;
            assertEquals(expected, record.partition(), record.key());
        }
    }

    @Test
    void feedbackProduceSendsABadClockAndDlqConsumeShowsWhatADeadLetterSays() throws Exception {
        stack.createTopics(Topics.FEEDBACK_EVENTS, Topics.deadLetter("feedback-aggregator", false));
        long outOfRange = 253402300800L;
        String summary = run("feedback", "produce", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--count", "3", "--occurred-at", Long.toString(outOfRange));
        assertTrue(summary.contains("sent 3 feedback events"), summary);
        long badClock = stack.readCommitted(Topics.FEEDBACK_EVENTS, Integer.MAX_VALUE, Duration.ofSeconds(3)).stream()
                .filter(record -> record.value().getOccurredAt().getSeconds() == outOfRange).count();
        assertEquals(3, badClock);

        String reason = "occurred_at (seconds=" + outOfRange + ", nanos=0) is outside protobuf Timestamp's range " + UUID.randomUUID();
        try (KafkaProducer<byte[], byte[]> raw = stack.rawProducer()) {
            ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>("feedback-aggregator.dlq",
                    "conv-dlq".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
            letter.headers().add("flywheel.dlq.source.topic", utf8("feedback.events"))
                    .add("flywheel.dlq.error.message", utf8(reason)).add("trace-id", utf8("not printed"));
            raw.send(letter).get();
        }
        String printed = run("dlq", "consume", "feedback-aggregator", "--bootstrap-servers", stack.bootstrapServers(),
                "--timeout", "2s", "--values");
        String line = printed.lines().filter(l -> l.contains(reason)).findFirst().orElseThrow(() -> new AssertionError(printed));
        assertTrue(line.contains("\"key\":\"conv-dlq\"") && line.contains("\"source.topic\":\"feedback.events\"")
                && line.contains("\"value_bytes\":3") && line.contains("\"value_base64\":\"AQID\"") && !line.contains("trace-id"), line);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = FlywheelTools.commandLine().execute(args);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, exit, String.join(" ", args) + " ->\n" + output);
        return output;
    }
}
