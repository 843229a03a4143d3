package io.flywheel.sampler.topology;

import com.google.protobuf.Message;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.DriftAlertContract;
import io.flywheel.model.FeedbackEventContract;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetters;
import io.flywheel.runtime.deadletter.RecordValidator;
import io.flywheel.runtime.state.KeyValueStores;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.runtime.streams.RegistryRetries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.flywheel.state.v1.PendingFeedbackState;
import io.flywheel.state.v1.RememberedCompletionState;
import io.flywheel.state.v1.SamplerTaskState;
import io.flywheel.state.v1.StratumTallyState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The eval-sampler topology: screened completions and feedback events, both keyed by
 * conversation_id and co-partitioned, reach one sampling processor in the conversation's own
 * partition (no repartition, either arrival order), which writes {@code eval.samples}; drift
 * alerts reach every instance through a global store.
 *
 * <p>Every store is named here; renaming one loses state on upgrade (the snapshot test guards the
 * names).
 */
public final class SamplerTopology {

    private SamplerTopology() {
    }

    public static TopicSpec<byte[]> deadLetterTopic(SamplerSettings settings) {
        return Topics.deadLetter(settings.applicationId(), false);
    }

    /**
     * The intake check of {@code feedback.alerts}: it dead-letters, once, exactly the records the
     * global store processor ({@link DriftAlertIntake}) skips: no or bad key, undecodable bytes,
     * an alert breaking {@link DriftAlertContract}, a tombstone whose key is not a model key.
     */
    public static IntakeCheck alertIntakeCheck(boolean enabled, StreamsConfig streams, SamplerSettings settings,
                                               ProtobufSerdes serdes, SamplerMetrics metrics) {
        return IntakeCheck.of("alert-intake", enabled, streams, Topics.FEEDBACK_ALERTS,
                serdes.valueDeserializer(DriftAlert.class),
                RecordValidator.withTombstones(
                        (key, alert, wallClockMs) -> DriftAlertContract.violation(alert, wallClockMs, settings.maxClockSkew()),
                        DriftAlertContract::tombstoneViolation),
                deadLetterTopic(settings), metrics.flow());
    }

    public static Topology build(SamplerSettings settings, ProtobufSerdes serdes) {
        return build(settings, serdes, new SkippedAlerts());
    }

    /** Builds the topology with metrics kept in a registry nobody reads (tests of other behaviour). */
    public static Topology build(SamplerSettings settings, ProtobufSerdes serdes, SkippedAlerts skippedAlerts) {
        return build(settings, serdes, skippedAlerts, new SamplerMetrics(new SimpleMeterRegistry()));
    }

    public static Topology build(SamplerSettings settings, ProtobufSerdes serdes, SkippedAlerts skippedAlerts,
                                 SamplerMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();

        // Few keys written on every event (a tally per stratum, one state per task): the record cache
        // turns those writes into one store write and one changelog record per key and commit.
        builder.addStateStore(KeyValueStores.keyValue(SamplerStores.STRATA_STORE, Serdes.String(), ProtobufSerdes.internal(StratumTallyState.class))
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(SamplerStores.TASK_STORE, Serdes.String(), ProtobufSerdes.internal(SamplerTaskState.class))
                .withCachingEnabled());
        builder.addStateStore(KeyValueStores.keyValue(SamplerStores.BOOST_COMPLETIONS_STORE, Serdes.String(),
                ProtobufSerdes.internal(RememberedCompletionState.class)));
        builder.addStateStore(KeyValueStores.keyValue(SamplerStores.BOOST_PENDING_STORE, Serdes.String(), ProtobufSerdes.internal(PendingFeedbackState.class)));
        builder.addStateStore(KeyValueStores.keyValue(SamplerStores.BOOST_EXPIRY_STORE, Serdes.String(), Serdes.String()));

        RegistryRetries alertRetries = new RegistryRetries("sampler-alert-retry");
        // The compacted topic is the global store's changelog; restoring replays it through the intake.
        builder.addGlobalStore(Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(SamplerStores.DRIFT_ALERTS_STORE), Serdes.String(), ProtobufSerdes.internal(DriftAlert.class))
                        .withLoggingDisabled(),
                Topics.FEEDBACK_ALERTS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-" + Topics.FEEDBACK_ALERTS.name()),
                () -> new DriftAlertIntake(serdes.valueDeserializer(DriftAlert.class), settings.maxClockSkew(), skippedAlerts,
                        alertRetries, metrics));

        KStream<String, ScreenedCompletion> completions = DeadLetters.decode(builder, settings.applicationId(),
                Topics.LLM_COMPLETIONS_SCREENED, serdes.valueDeserializer(ScreenedCompletion.class),
                new CompletionValidator(settings.maxClockSkew()), deadLetterTopic(settings), metrics.flow());
        KStream<String, FeedbackEvent> feedback = DeadLetters.decode(builder, settings.applicationId(),
                Topics.FEEDBACK_EVENTS, serdes.valueDeserializer(FeedbackEvent.class),
                // The boost window judges any feedback event that meets the shared contract.
                (key, event, wallClockMs) -> FeedbackEventContract.violation(key, event, wallClockMs, settings.maxClockSkew()),
                deadLetterTopic(settings), metrics.flow());

        asMessages(completions).merge(asMessages(feedback), Named.as("sampler-inputs"))
                .process(() -> new SamplingProcessor(settings, metrics), Named.as("sample"),
                        SamplerStores.STRATA_STORE, SamplerStores.TASK_STORE, SamplerStores.BOOST_COMPLETIONS_STORE, SamplerStores.BOOST_PENDING_STORE, SamplerStores.BOOST_EXPIRY_STORE)
                .peek(metrics.flow().countsOut(Topics.EVAL_SAMPLES.name()), Named.as("count-samples"))
                .to(Topics.EVAL_SAMPLES.name(), Produced.with(Serdes.String(), serdes.value(Topics.EVAL_SAMPLES))
                        .withName("write-samples"));

        return builder.build();
    }

    /** Both inputs are Protobuf messages; the sampling processor tells them apart. */
    @SuppressWarnings("unchecked")
    private static KStream<String, Message> asMessages(KStream<String, ? extends Message> stream) {
        return (KStream<String, Message>) stream;
    }
}
