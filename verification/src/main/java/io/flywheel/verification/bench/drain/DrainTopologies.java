package io.flywheel.verification.bench.drain;

import com.google.protobuf.Message;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The drain benchmark's baselines, as plain topologies: a bytes passthrough, a structural passthrough
 * of each service (its inputs decoded through the registry as the service decodes them, its outputs
 * per input written through the registry, no logic), and the textbook feedback aggregation.
 */
public final class DrainTopologies {

    /** Where the bytes passthrough copies its inputs: as many partitions as the inputs, so a key keeps its partition. */
    public static final TopicSpec<byte[]> COPY = new TopicSpec<>("bench.drain.copy", "the input's key", byte[].class,
            Topics.CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofHours(1)), true);

    /** The structural sampler writes one sample per this many screened completions (the service's output is a few percent). */
    static final int SAMPLE_EVERY = 20;

    private DrainTopologies() {
    }

    /** The external input topics a service consumes (global-store topics are not drained). */
    public static List<String> inputs(String service) {
        return switch (service) {
            case "safety-filter" -> List.of(Topics.LLM_COMPLETIONS.name());
            case "feedback-aggregator" -> List.of(Topics.FEEDBACK_EVENTS.name());
            case "eval-sampler" -> List.of(Topics.LLM_COMPLETIONS_SCREENED.name(), Topics.FEEDBACK_EVENTS.name());
            default -> throw new IllegalArgumentException("unknown service " + service);
        };
    }

    /** byte[] in, byte[] out: the cost of reading and writing the same records with exactly-once and nothing else. */
    public static Topology bytesPassthrough(String service) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(inputs(service), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read"))
                .to(COPY.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("write"));
        return builder.build();
    }

    /** The service's shape without its logic: same inputs and serdes, the same number and size of outputs per input. */
    public static Topology structuralPassthrough(String service, ProtobufSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        switch (service) {
            case "safety-filter" -> {
                // Per completion: a verdict and the completion passed on with it (the findings shuffle of the
                // flagged tenth is logic, not shape).
                KStream<String, ScreenedCompletion> screened = builder.stream(Topics.LLM_COMPLETIONS.name(),
                                Consumed.with(ProtobufSerdes.key(), serdes.value(Completion.class)).withName("read-completions"))
                        .mapValues(completion -> ScreenedCompletion.newBuilder().setCompletion(completion)
                                .setVerdict(allowed(completion)).build(), Named.as("pass-on"));
                screened.mapValues(ScreenedCompletion::getVerdict, Named.as("as-verdict"))
                        .to(Topics.SAFETY_VERDICTS.name(), Produced.with(ProtobufSerdes.key(), serdes.value(Topics.SAFETY_VERDICTS))
                                .withName("write-verdicts"));
                screened.to(Topics.LLM_COMPLETIONS_SCREENED.name(), Produced.with(ProtobufSerdes.key(),
                        serdes.value(Topics.LLM_COMPLETIONS_SCREENED)).withName("write-screened"));
            }
            case "eval-sampler" -> {
                KStream<String, Message> completions = asMessages(builder.stream(Topics.LLM_COMPLETIONS_SCREENED.name(),
                        Consumed.with(ProtobufSerdes.key(), serdes.value(ScreenedCompletion.class)).withName("read-completions")));
                KStream<String, Message> feedback = asMessages(builder.stream(Topics.FEEDBACK_EVENTS.name(),
                        Consumed.with(ProtobufSerdes.key(), serdes.value(FeedbackEvent.class)).withName("read-feedback")));
                completions.merge(feedback, Named.as("sampler-inputs"))
                        .filter((key, value) -> value instanceof ScreenedCompletion && Math.floorMod(key.hashCode(), SAMPLE_EVERY) == 0,
                                Named.as("every-nth-completion"))
                        .mapValues(value -> sampleOf((ScreenedCompletion) value), Named.as("as-sample"))
                        .to(Topics.EVAL_SAMPLES.name(), Produced.with(ProtobufSerdes.key(), serdes.value(Topics.EVAL_SAMPLES))
                                .withName("write-samples"));
            }
            case "feedback-aggregator" ->
                // The aggregator writes per aggregate key and flush, not per event: per event there is only the decode.
                    builder.stream(Topics.FEEDBACK_EVENTS.name(),
                                    Consumed.with(ProtobufSerdes.key(), serdes.value(FeedbackEvent.class)).withName("read-feedback"))
                            .foreach((key, event) -> { }, Named.as("decoded"));
            default -> throw new IllegalArgumentException("unknown service " + service);
        }
        return builder.build();
    }

    /**
     * The textbook aggregation of the same feedback: a KTable of the latest vote per (completion, user),
     * then {@code groupBy} the model key with an adder and a subtractor. Two shuffles and two changelogs.
     */
    public static Topology textbookAggregation(ProtobufSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.FEEDBACK_EVENTS.name(),
                        Consumed.with(ProtobufSerdes.key(), serdes.value(FeedbackEvent.class)).withName("read-feedback"))
                .filter((key, event) -> event.hasThumb() || event.hasRating() || event.hasCleared(), Named.as("votes-only"))
                .selectKey((key, event) -> event.getCompletionId() + "|" + event.getUserId(), Named.as("by-vote"))
                .repartition(Repartitioned.<String, FeedbackEvent>as("textbook-votes")
                        .withKeySerde(ProtobufSerdes.key()).withValueSerde(ProtobufSerdes.internal(FeedbackEvent.class)))
                // A clear is the vote's tombstone: the subtractor takes the cleared vote out.
                .mapValues(event -> event.hasCleared() ? null : event, Named.as("clear-as-tombstone"))
                .toTable(Named.as("latest-votes"), Materialized.<String, FeedbackEvent, KeyValueStore<Bytes, byte[]>>as("textbook-latest-votes")
                        .withKeySerde(ProtobufSerdes.key()).withValueSerde(ProtobufSerdes.internal(FeedbackEvent.class)))
                .groupBy((key, vote) -> KeyValue.pair(modelKey(vote), vote),
                        Grouped.with("textbook-by-model", ProtobufSerdes.key(), ProtobufSerdes.internal(FeedbackEvent.class)))
                .aggregate(FeedbackAggregate::getDefaultInstance,
                        (key, vote, tally) -> count(tally, vote, 1),
                        (key, vote, tally) -> count(tally, vote, -1),
                        Named.as("tally-by-model"),
                        Materialized.<String, FeedbackAggregate, KeyValueStore<Bytes, byte[]>>as("textbook-tallies")
                                .withKeySerde(ProtobufSerdes.key()).withValueSerde(ProtobufSerdes.internal(FeedbackAggregate.class)))
                .toStream(Named.as("tally-changes"))
                .to(Topics.FEEDBACK_AGGREGATES.name(), Produced.with(ProtobufSerdes.key(), serdes.value(Topics.FEEDBACK_AGGREGATES))
                        .withName("write-tallies"));
        return builder.build();
    }

    static String modelKey(FeedbackEvent vote) {
        return vote.getModel().getName() + "|" + vote.getModel().getVersion() + "|" + vote.getPromptVersion();
    }

    /** The tally with {@code vote} added ({@code sign} 1) or taken out ({@code sign} -1). */
    static FeedbackAggregate count(FeedbackAggregate tally, FeedbackEvent vote, int sign) {
        FeedbackAggregate.Builder next = tally.toBuilder().setModel(vote.getModel()).setPromptVersion(vote.getPromptVersion());
        if (vote.hasThumb()) {
            if (vote.getThumb() == FeedbackEvent.Thumb.THUMB_UP) {
                next.setThumbsUp(tally.getThumbsUp() + sign);
            } else {
                next.setThumbsDown(tally.getThumbsDown() + sign);
            }
        } else if (vote.hasRating()) {
            next.setRatingCount(tally.getRatingCount() + sign).setRatingSum(tally.getRatingSum() + (long) sign * vote.getRating());
        }
        return next.build();
    }

    private static SafetyVerdict allowed(Completion completion) {
        return SafetyVerdict.newBuilder().setCompletionId(completion.getCompletionId()).setConversationId(completion.getConversationId())
                .setUserId(completion.getUserId()).setModel(completion.getModel()).setDecision(SafetyVerdict.Decision.ALLOW)
                .setPolicySetRevision("structural-passthrough").build();
    }

    private static EvalSample sampleOf(ScreenedCompletion screened) {
        return EvalSample.newBuilder().setSampleId(screened.getCompletion().getCompletionId()).setCompletion(screened)
                .setVerdict(screened.getVerdict()).setStratum("structural-passthrough").setReason(EvalSample.Reason.BASELINE)
                .setInclusionProbability(1.0 / SAMPLE_EVERY).build();
    }

    @SuppressWarnings("unchecked")
    private static KStream<String, Message> asMessages(KStream<String, ? extends Message> stream) {
        return (KStream<String, Message>) stream;
    }
}
