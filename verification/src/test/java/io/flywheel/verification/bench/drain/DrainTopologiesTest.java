package io.flywheel.verification.bench.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The baselines' shapes: what each writes per input. */
class DrainTopologiesTest {

    private static final ProtobufSerdes SERDES = ProtobufSerdes.withoutRegistry();
    private static final ModelRef MODEL = ModelRef.newBuilder().setName("atlas").setVersion("2025-06").build();

    private static void drive(Topology topology, Consumer<TopologyTestDriver> test) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "drain-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, config)) {
            test.accept(driver);
        }
    }

    private static Completion completion(int n) {
        return Completion.newBuilder().setCompletionId("cmp-" + n).setConversationId("conv-" + n).setUserId("user-" + n % 7)
                .setModel(MODEL).setPromptVersion("support-v7").setPromptText("Tell me about the parcel.")
                .setResponseText("Here is what I found: parcel " + n).setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000L + n)).build();
    }

    private static FeedbackEvent vote(String completion, String user, Consumer<FeedbackEvent.Builder> kind) {
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder().setFeedbackId(completion + user + Math.random())
                .setConversationId("conv-" + completion).setCompletionId(completion).setUserId(user).setModel(MODEL)
                .setPromptVersion("support-v7");
        kind.accept(event);
        return event.build();
    }

    @Test
    void theBytesPassthroughCopiesEveryInputOfTheService() {
        drive(DrainTopologies.bytesPassthrough("eval-sampler"), driver -> {
            var completions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            var feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            IntStream.range(0, 5).forEach(i -> completions.pipeInput("conv-" + i, new byte[] {(byte) i}));
            IntStream.range(0, 3).forEach(i -> feedback.pipeInput("conv-" + i, new byte[] {(byte) (10 + i)}));
            var copy = driver.createOutputTopic(DrainTopologies.COPY.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
            assertEquals(8, copy.getQueueSize());
        });
    }

    @Test
    void theStructuralSafetyFilterWritesAVerdictAndTheScreenedCompletionPerCompletion() {
        drive(DrainTopologies.structuralPassthrough("safety-filter", SERDES), driver -> {
            var input = driver.createInputTopic(Topics.LLM_COMPLETIONS.name(), Serdes.String().serializer(),
                    SERDES.valueSerializer(Completion.class));
            IntStream.range(0, 10).forEach(i -> input.pipeInput("conv-" + i, completion(i)));
            List<SafetyVerdict> verdicts = driver.createOutputTopic(Topics.SAFETY_VERDICTS.name(), Serdes.String().deserializer(),
                    SERDES.valueDeserializer(SafetyVerdict.class)).readValuesToList();
            List<ScreenedCompletion> screened = driver.createOutputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), Serdes.String().deserializer(),
                    SERDES.valueDeserializer(ScreenedCompletion.class)).readValuesToList();
            assertEquals(10, verdicts.size());
            assertEquals(10, screened.size());
            assertEquals(completion(3), screened.get(3).getCompletion());
            assertEquals("cmp-3", verdicts.get(3).getCompletionId());
        });
    }

    @Test
    void theStructuralSamplerWritesOneSamplePerNthCompletionAndNothingPerFeedback() {
        drive(DrainTopologies.structuralPassthrough("eval-sampler", SERDES), driver -> {
            var completions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(), Serdes.String().serializer(),
                    SERDES.valueSerializer(ScreenedCompletion.class));
            var feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), Serdes.String().serializer(),
                    SERDES.valueSerializer(FeedbackEvent.class));
            long expected = IntStream.range(0, 400).filter(i -> Math.floorMod(("conv-" + i).hashCode(), DrainTopologies.SAMPLE_EVERY) == 0).count();
            IntStream.range(0, 400).forEach(i -> {
                completions.pipeInput("conv-" + i, DrainWorkload.screened(completion(i), false));
                feedback.pipeInput("conv-" + i, vote("cmp-" + i, "user-1", e -> e.setThumb(FeedbackEvent.Thumb.THUMB_UP)));
            });
            List<EvalSample> samples = driver.createOutputTopic(Topics.EVAL_SAMPLES.name(), Serdes.String().deserializer(),
                    SERDES.valueDeserializer(EvalSample.class)).readValuesToList();
            assertTrue(expected > 5, "enough samples to tell");
            assertEquals(expected, samples.size());
        });
    }

    @Test
    void theStructuralAggregatorDecodesEveryEventAndWritesNothingPerEvent() {
        drive(DrainTopologies.structuralPassthrough("feedback-aggregator", SERDES), driver -> {
            var feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), Serdes.String().serializer(),
                    SERDES.valueSerializer(FeedbackEvent.class));
            IntStream.range(0, 10).forEach(i -> feedback.pipeInput("conv-" + i, vote("cmp-" + i, "u", e -> e.setRating(3))));
            assertEquals(0, driver.createOutputTopic(Topics.FEEDBACK_AGGREGATES.name(), Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer()).getQueueSize());
        });
    }

    @Test
    void theTextbookAggregationTalliesTheLatestVoteOfEachUser() {
        drive(DrainTopologies.textbookAggregation(SERDES), driver -> {
            var feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), Serdes.String().serializer(),
                    SERDES.valueSerializer(FeedbackEvent.class));
            feedback.pipeInput("conv-c1", vote("c1", "u1", e -> e.setThumb(FeedbackEvent.Thumb.THUMB_UP)));
            feedback.pipeInput("conv-c1", vote("c1", "u1", e -> e.setThumb(FeedbackEvent.Thumb.THUMB_DOWN)));
            feedback.pipeInput("conv-c1", vote("c1", "u2", e -> e.setRating(4)));
            feedback.pipeInput("conv-c1", vote("c1", "u2", e -> e.setCleared(FeedbackEvent.Cleared.getDefaultInstance())));
            feedback.pipeInput("conv-c2", vote("c2", "u3", e -> e.setThumb(FeedbackEvent.Thumb.THUMB_UP)));
            feedback.pipeInput("conv-c2", vote("c2", "u3", e -> e.setCopied(FeedbackEvent.Copied.getDefaultInstance())));
            feedback.pipeInput("conv-c2", vote("c2", "u4", e -> e.setRating(5)));
            Map<String, FeedbackAggregate> tallies = driver.createOutputTopic(Topics.FEEDBACK_AGGREGATES.name(),
                    Serdes.String().deserializer(), SERDES.valueDeserializer(FeedbackAggregate.class)).readKeyValuesToMap();
            FeedbackAggregate tally = tallies.get("atlas|2025-06|support-v7");
            assertEquals(1, tally.getThumbsUp());
            assertEquals(1, tally.getThumbsDown());
            assertEquals(1, tally.getRatingCount());
            assertEquals(5, tally.getRatingSum());
        });
    }
}
