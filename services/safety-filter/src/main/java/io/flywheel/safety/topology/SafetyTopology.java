package io.flywheel.safety.topology;

import com.google.protobuf.Message;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.SafetyPolicyContract;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetters;
import io.flywheel.runtime.deadletter.RecordValidator;
import io.flywheel.runtime.state.KeyValueStores;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.runtime.streams.RegistryRetries;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.PolicyCatalog;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.state.v1.ConversationVerdicts;
import io.flywheel.state.v1.PolicyRecordState;
import io.flywheel.state.v1.UserFindings;
import io.flywheel.state.v1.UserRiskWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The safety-filter topology: the policy set from the default pack and the global
 * {@code safety.policies} store; llm.completions screened in the conversation's partition into
 * verdicts, screened completions and quarantine; one shuffle of counted findings to the user's
 * partition for risk windows and escalations.
 *
 * <p>Every store and internal topic is named here; renaming one loses state on upgrade (the
 * snapshot test guards the names).
 */
public final class SafetyTopology {

    private SafetyTopology() {
    }

    /** The restricted dead-letter topic: it holds raw completion text. */
    public static TopicSpec<byte[]> deadLetterTopic(SafetySettings settings) {
        return Topics.deadLetter(settings.applicationId(), true);
    }

    /**
     * The intake check of {@code safety.policies}: it dead-letters, once, exactly the records the
     * global store processor skips as unreadable or as breaking {@link SafetyPolicyContract}. A
     * policy this build's compiler refuses (RE2 syntax, a regex matching the empty string, cost
     * limits, an unknown builtin) keeps the contract and is not dead-lettered: the refusal depends
     * on the reader's version and limits, not on the record, and {@code GetPolicySet.skipped}
     * already names it with its offset and reason.
     */
    public static IntakeCheck policyIntakeCheck(boolean enabled, StreamsConfig streams, SafetySettings settings,
                                                ProtobufSerdes serdes, SafetyMetrics metrics) {
        return IntakeCheck.of("policy-intake", enabled, streams, Topics.SAFETY_POLICIES,
                serdes.valueDeserializer(SafetyPolicy.class),
                RecordValidator.withTombstones((key, policy, wallClockMs) -> SafetyPolicyContract.violation(key, policy),
                        key -> SafetyPolicyContract.violation(key, null)),
                deadLetterTopic(settings), metrics.flow());
    }

    /** Builds the topology with metrics kept in a registry nobody reads (tests of other behaviour). */
    public static Topology build(SafetySettings settings, ProtobufSerdes serdes, ActivePolicySet active) {
        return build(settings, serdes, active, new SafetyMetrics(new SimpleMeterRegistry()));
    }

    /**
     * Builds the topology; {@code active} receives the default pack's policy set now and every
     * later set from the global store processor.
     */
    public static Topology build(SafetySettings settings, ProtobufSerdes serdes, ActivePolicySet active, SafetyMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        DefaultPolicyPack pack = DefaultPolicyPack.load();
        PolicyCompiler compiler = new PolicyCompiler(settings.detectors());
        active.install(new PolicyCatalog(pack, compiler).current());
        RegistryRetries retries = new RegistryRetries("safety-policy-retry");

        // Persistent (RocksDB, checkpointed): after a restart the policies read before are still decoded,
        // so the last known set is in force even when the schema registry is down at start.
        builder.addGlobalStore(
                KeyValueStores.keyValue(SafetyStores.POLICIES_STORE, Serdes.String(),
                        ProtobufSerdes.internal(PolicyRecordState.class)).withLoggingDisabled(),
                Topics.SAFETY_POLICIES.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-" + Topics.SAFETY_POLICIES.name()),
                () -> new PolicyCatalogUpdater(SafetyStores.POLICIES_STORE, pack, compiler,
                        serdes.valueDeserializer(SafetyPolicy.class), active, retries));

        builder.addStateStore(KeyValueStores.keyValue(SafetyStores.VERDICTS_STORE,
                Serdes.String(), ProtobufSerdes.internal(ConversationVerdicts.class)));
        builder.addStateStore(KeyValueStores.keyValue(SafetyStores.VERDICT_EXPIRY_STORE,
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(KeyValueStores.keyValue(SafetyStores.RISK_STORE,
                Serdes.String(), ProtobufSerdes.internal(UserRiskWindow.class)));
        builder.addStateStore(KeyValueStores.keyValue(SafetyStores.ESCALATIONS_STORE,
                Serdes.String(), ProtobufSerdes.internal(UserEscalation.class)));
        builder.addStateStore(KeyValueStores.keyValue(SafetyStores.RISK_EXPIRY_STORE,
                Serdes.String(), Serdes.ByteArray()));

        TopicSpec<byte[]> deadLetters = deadLetterTopic(settings);
        KStream<String, Completion> completions = DeadLetters.decode(builder, settings.applicationId(),
                Topics.LLM_COMPLETIONS, serdes.valueDeserializer(Completion.class), new CompletionValidator(settings.maxClockSkew()), deadLetters, metrics.flow());

        String outputs = "safety-outputs-";
        Map<String, KStream<String, Message>> byKind = completions
                .process(() -> new ScreenCompletions(settings, active, metrics), Named.as("screen-completions"),
                        SafetyStores.VERDICTS_STORE, SafetyStores.VERDICT_EXPIRY_STORE)
                .split(Named.as(outputs))
                .branch((key, value) -> value instanceof SafetyVerdict, Branched.as("verdicts"))
                .branch((key, value) -> value instanceof ScreenedCompletion, Branched.as("screened"))
                .branch((key, value) -> value instanceof QuarantinedCompletion, Branched.as("quarantined"))
                .branch((key, value) -> value instanceof UserFindings, Branched.as("findings"))
                .branch((key, value) -> value instanceof Completion, Branched.as("failed"))
                .noDefaultBranch();

        byKind.get(outputs + "verdicts")
                .mapValues(value -> (SafetyVerdict) value, Named.as("as-verdict"))
                .peek(metrics.flow().countsOut(Topics.SAFETY_VERDICTS.name()), Named.as("count-verdicts"))
                .to(Topics.SAFETY_VERDICTS.name(), Produced.with(Serdes.String(), serdes.value(Topics.SAFETY_VERDICTS))
                        .withName("write-verdicts"));
        byKind.get(outputs + "screened")
                .mapValues(value -> (ScreenedCompletion) value, Named.as("as-screened"))
                .peek(metrics.flow().countsOut(Topics.LLM_COMPLETIONS_SCREENED.name()), Named.as("count-screened"))
                .to(Topics.LLM_COMPLETIONS_SCREENED.name(), Produced.with(Serdes.String(), serdes.value(Topics.LLM_COMPLETIONS_SCREENED))
                        .withName("write-screened"));
        byKind.get(outputs + "quarantined")
                .mapValues(value -> (QuarantinedCompletion) value, Named.as("as-quarantined"))
                .peek(metrics.flow().countsOut(Topics.SAFETY_QUARANTINE.name()), Named.as("count-quarantined"))
                .to(Topics.SAFETY_QUARANTINE.name(), Produced.with(Serdes.String(), serdes.value(Topics.SAFETY_QUARANTINE))
                        .withName("write-quarantine"));
        // The completion as the producer would have written it (same registry artifact as
        // llm.completions), so an operator can re-send it from the DLQ once the cause is fixed.
        byKind.get(outputs + "failed")
                .mapValues(value -> (Completion) value, Named.as("as-failed-completion"))
                .to(deadLetters.name(), Produced.with(Serdes.String(),
                                Serdes.serdeFrom(asTopic(Topics.LLM_COMPLETIONS.name(), serdes.valueSerializer(Topics.LLM_COMPLETIONS)),
                                        serdes.valueDeserializer(Completion.class)))
                        .withName("dead-letter-screening"));

        byKind.get(outputs + "findings")
                .mapValues(value -> (UserFindings) value, Named.as("as-user-findings"))
                .repartition(Repartitioned.<String, UserFindings>as(SafetyStores.FINDINGS_REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(ProtobufSerdes.internal(UserFindings.class)))
                .process(() -> new UserRiskCounter(settings), Named.as("count-user-risk"),
                        SafetyStores.RISK_STORE, SafetyStores.ESCALATIONS_STORE, SafetyStores.RISK_EXPIRY_STORE)
                .peek(metrics.flow().countsOut(Topics.SAFETY_ESCALATIONS.name()), Named.as("count-escalations"))
                .to(Topics.SAFETY_ESCALATIONS.name(), Produced.with(Serdes.String(), serdes.value(Topics.SAFETY_ESCALATIONS))
                        .withName("write-escalations"));

        return builder.build();
    }

    /** Serializes as if for {@code topic}: the registry artifact is that topic's, not the sink's. */
    private static <V> Serializer<V> asTopic(String topic, Serializer<V> inner) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String ignored, V value) {
                return inner.serialize(topic, value);
            }

            @Override
            public byte[] serialize(String ignored, Headers headers, V value) {
                return inner.serialize(topic, headers, value);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
