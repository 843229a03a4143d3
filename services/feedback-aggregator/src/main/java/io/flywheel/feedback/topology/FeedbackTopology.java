package io.flywheel.feedback.topology;

import com.google.protobuf.Message;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetters;
import io.flywheel.runtime.state.KeyValueStores;
import io.flywheel.state.v1.DriftState;
import io.flywheel.state.v1.VoteLedgerState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The feedback-aggregator topology: feedback.events → vote resolution in the
 * conversation's partition → per-partition partial sums → one shuffle to the model key →
 * all-time and cohort-bucket aggregates, and drift alerts.
 *
 * <p>Every store and internal topic is named here; renaming one loses state on upgrade (the
 * snapshot test guards the names).
 */
public final class FeedbackTopology {

    private FeedbackTopology() {
    }

    public static TopicSpec<byte[]> deadLetterTopic(AggregatorSettings settings) {
        return Topics.deadLetter(settings.applicationId(), false);
    }

    /** Builds the topology with metrics kept in a registry nobody reads (tests of other behaviour). */
    public static Topology build(AggregatorSettings settings, ProtobufSerdes serdes) {
        return build(settings, serdes, new FeedbackMetrics(new SimpleMeterRegistry()));
    }

    public static Topology build(AggregatorSettings settings, ProtobufSerdes serdes, FeedbackMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();

        // Not cached: a ledger is written about once per commit interval and an expiry entry once,
        // so the record cache would save no write and only add its sorted-map upkeep to each event.
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.VOTES_STORE, Serdes.String(), ProtobufSerdes.internal(VoteLedgerState.class)));
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.VOTE_EXPIRY_STORE, Serdes.String(), Serdes.ByteArray()));
        // The stores below are cached: each of their keys is written many times between commits
        // (every event updates its partial sum), and the cache sends only the last value of each
        // to the store and the changelog. The partials are in memory: a partition holds one per
        // (aggregate key, bucket) between flushes; the changelog restores them after a crash.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FeedbackStores.PARTIALS_STORE), Serdes.String(), ProtobufSerdes.internal(FeedbackAggregate.class))
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.AGGREGATES_STORE, Serdes.String(), ProtobufSerdes.internal(FeedbackAggregate.class))
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.DRIFT_STORE, Serdes.String(), ProtobufSerdes.internal(DriftState.class))
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.BUCKET_EXPIRY_STORE, Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(FeedbackStores.KEY_INDEX_STORE, Serdes.String(), ProtobufSerdes.internal(FeedbackAggregate.class))
                .withCachingEnabled());

        KStream<String, FeedbackEvent> feedback = DeadLetters.decode(builder, settings.applicationId(),
                Topics.FEEDBACK_EVENTS, serdes.valueDeserializer(FeedbackEvent.class),
                new FeedbackValidator(settings.maxClockSkew()), deadLetterTopic(settings), metrics.flow());

        String outputs = "feedback-outputs-";
        Map<String, KStream<String, Message>> byKind = feedback
                .process(() -> new VoteResolution(settings, metrics), Named.as("resolve-votes"), FeedbackStores.VOTES_STORE, FeedbackStores.VOTE_EXPIRY_STORE,
                        FeedbackStores.PARTIALS_STORE)
                .repartition(Repartitioned.<String, FeedbackAggregate>as(FeedbackStores.DELTAS_REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(ProtobufSerdes.internal(FeedbackAggregate.class)))
                .process(() -> new AggregateRollup(settings, metrics), Named.as("roll-up-aggregates"), FeedbackStores.AGGREGATES_STORE, FeedbackStores.DRIFT_STORE,
                        FeedbackStores.BUCKET_EXPIRY_STORE, FeedbackStores.KEY_INDEX_STORE)
                .split(Named.as(outputs))
                .branch((key, value) -> value instanceof DriftAlert, Branched.as("alerts"))
                .defaultBranch(Branched.as("aggregates"));

        byKind.get(outputs + "aggregates")
                .mapValues(value -> (FeedbackAggregate) value, Named.as("as-aggregate"))
                .peek(metrics.flow().countsOut(Topics.FEEDBACK_AGGREGATES.name()), Named.as("count-aggregates"))
                .to(Topics.FEEDBACK_AGGREGATES.name(), Produced.with(Serdes.String(), serdes.value(Topics.FEEDBACK_AGGREGATES))
                        .withName("write-aggregates"));
        byKind.get(outputs + "alerts")
                .mapValues(value -> (DriftAlert) value, Named.as("as-alert"))
                .peek(metrics.flow().countsOut(Topics.FEEDBACK_ALERTS.name()), Named.as("count-alerts"))
                .to(Topics.FEEDBACK_ALERTS.name(), Produced.with(Serdes.String(), serdes.value(Topics.FEEDBACK_ALERTS))
                        .withName("write-alerts"));

        return builder.build();
    }
}
