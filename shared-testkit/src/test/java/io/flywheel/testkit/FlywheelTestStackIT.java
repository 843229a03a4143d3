package io.flywheel.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlywheelTestStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // The serdes' default strategy: group "default", artifact "<topic>-value".
    private static final String ARTIFACT = "/groups/default/artifacts/" + Topics.FEEDBACK_EVENTS.name() + "-value";

    private static FlywheelTestStack stack;

    @BeforeAll
    static void startStack() {
        stack = FlywheelTestStack.shared();
    }

    @Test
    @Order(1)
    void createsCatalogueTopicsIdempotently() throws Exception {
        stack.createTopics(Topics.FEEDBACK_EVENTS, Topics.SAFETY_POLICIES);
        stack.createTopics(Topics.FEEDBACK_EVENTS);

        try (Admin admin = stack.adminClient()) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    List.of(Topics.FEEDBACK_EVENTS.name(), Topics.SAFETY_POLICIES.name())).allTopicNames().get();
            assertEquals(Topics.CONVERSATION_PARTITIONS, topics.get(Topics.FEEDBACK_EVENTS.name()).partitions().size());
            assertEquals(1, topics.get(Topics.SAFETY_POLICIES.name()).partitions().size());
            ConfigResource policies = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SAFETY_POLICIES.name());
            assertEquals("compact", admin.describeConfigs(List.of(policies)).all().get()
                    .get(policies).get("cleanup.policy").value());
        }
    }

    @Test
    @Order(2)
    void feedbackRoundTripsThroughTheRegistrySerdes() throws Exception {
        stack.createTopics(Topics.FEEDBACK_EVENTS);
        List<FeedbackEvent> sent = List.of(
                event("fb-1", "conv-1").setThumb(FeedbackEvent.Thumb.THUMB_UP).build(),
                event("fb-2", "conv-2").setRating(4).setComment("mostly right").build(),
                event("fb-3", "conv-1").setReported(FeedbackEvent.Reported.newBuilder().setReason("unsafe")).build());
        try (KafkaProducer<String, FeedbackEvent> producer = stack.producer(Topics.FEEDBACK_EVENTS)) {
            for (FeedbackEvent event : sent) {
                producer.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), event.getConversationId(), event)).get();
            }
        }

        List<ConsumerRecord<String, FeedbackEvent>> read = stack.readCommitted(Topics.FEEDBACK_EVENTS, sent.size(), Duration.ofSeconds(30));

        assertEquals(sent.size(), read.size(), "records read back");
        Map<String, FeedbackEvent> byId = read.stream().map(ConsumerRecord::value)
                .collect(Collectors.toMap(FeedbackEvent::getFeedbackId, Function.identity()));
        for (FeedbackEvent event : sent) {
            assertEquals(event, byId.get(event.getFeedbackId()));
        }
        for (ConsumerRecord<String, FeedbackEvent> record : read) {
            assertEquals(record.value().getConversationId(), record.key());
        }
    }

    @Test
    @Order(3)
    void schemaIsRegisteredUnderTheBackwardRule() throws Exception {
        JsonNode rule = JSON.readTree(get("/admin/rules/COMPATIBILITY").body());
        assertEquals("BACKWARD", rule.path("config").asText());

        HttpResponse<String> artifact = get(ARTIFACT);
        assertEquals(200, artifact.statusCode(), artifact.body());
        assertEquals("PROTOBUF", JSON.readTree(artifact.body()).path("artifactType").asText());
        String content = get(ARTIFACT + "/versions/branch=latest/content").body();
        assertTrue(content.contains("message FeedbackEvent"), content);
    }

    @Test
    @Order(4)
    void registryRejectsABackwardIncompatibleChangeAndAcceptsACompatibleOne() throws Exception {
        String incompatible = """
                syntax = "proto3";
                package flywheel.events.v1;
                message FeedbackEvent {
                  int64 feedback_id = 1;
                }
                """;
        HttpResponse<String> rejected = postVersion(incompatible, JSON.createArrayNode());
        // Registry 3.3 answers a rule violation with 400 (older 3.x: 409; apicurio PR #8132).
        assertEquals(400, rejected.statusCode(), rejected.body());
        JsonNode problem = JSON.readTree(rejected.body());
        assertEquals("RuleViolationException", problem.path("name").asText(), rejected.body());
        assertTrue(problem.path("detail").asText().startsWith("Incompatible artifact"), rejected.body());

        // Control: the same schema plus one new field passes, so the 409 above was the rule's doing.
        String current = get(ARTIFACT + "/versions/branch=latest/content").body();
        JsonNode references = JSON.readTree(get(ARTIFACT + "/versions/branch=latest/references").body());
        String extended = current.replaceFirst("message FeedbackEvent \\{", "message FeedbackEvent {\n  string it_added_note = 99;");
        assertTrue(!extended.equals(current), "could not extend: " + current);
        HttpResponse<String> accepted = postVersion(extended, references);
        assertEquals(200, accepted.statusCode(), accepted.body());
    }

    private static FeedbackEvent.Builder event(String feedbackId, String conversationId) {
        Instant now = Instant.now();
        return FeedbackEvent.newBuilder()
                .setFeedbackId(feedbackId)
                .setConversationId(conversationId)
                .setCompletionId(conversationId + "-turn-0")
                .setUserId("user-" + conversationId)
                .setModel(ModelRef.newBuilder().setName("gpt-test").setVersion("2026-01"))
                .setPromptVersion("support-v1")
                .setCompletionCreatedAt(timestamp(now.minusSeconds(60)))
                .setOccurredAt(timestamp(now));
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.registryUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postVersion(String proto, JsonNode references) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode content = body.putObject("content");
        content.put("content", proto);
        content.put("contentType", "application/x-protobuf");
        content.set("references", references);
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.registryUrl() + ARTIFACT + "/versions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
