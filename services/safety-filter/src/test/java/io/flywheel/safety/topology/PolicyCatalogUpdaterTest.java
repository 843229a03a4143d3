package io.flywheel.safety.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.state.v1.PolicyRecordState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams restores a global store through one processor instance and then processes live
 * records with another: the second must rebuild exactly the catalogue the first applied.
 */
class PolicyCatalogUpdaterTest {

    private static final DefaultPolicyPack PACK = DefaultPolicyPack.load();
    private static final PolicyCompiler COMPILER = new PolicyCompiler(DetectorSettings.DEFAULTS);

    @Test
    void aNewInstanceRebuildsTheSameSetFromTheStore() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        KeyValueStore<String, PolicyRecordState> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SafetyStores.POLICIES_STORE), Serdes.String(),
                ProtobufSerdes.internal(PolicyRecordState.class)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        ActivePolicySet restoring = new ActivePolicySet();
        PolicyCatalogUpdater restorer = updater(restoring);
        restorer.init(context);

        byte[] zebra = Completions.keywords("ops.zebra", "animal", List.of("zebracorn"), SafetyAction.BLOCK, 3).toByteArray();
        send(restorer, context, 0, "ops.zebra", zebra);
        send(restorer, context, 1, "default.email", SafetyPolicy.newBuilder().setId("default.email").setEnabled(false).build().toByteArray());
        send(restorer, context, 2, "ops.broken", new byte[] {(byte) 0xff, 0x00});
        send(restorer, context, 3, "ops.gone", zebra);
        send(restorer, context, 4, "ops.gone", null);
        send(restorer, context, 5, "default.phone", null);
        PolicySet restored = restoring.get();
        assertEquals(PACK.hash() + "@5", restored.revision());

        ActivePolicySet live = new ActivePolicySet();
        updater(live).init(context);
        PolicySet rebuilt = live.get();
        assertEquals(restored.revision(), rebuilt.revision(), "the revision survives the rebuild, tombstones included");
        assertEquals(restored.activePolicies(), rebuilt.activePolicies());
        assertEquals(restored.disabled(), rebuilt.disabled());
        assertEquals(restored.skipped(), rebuilt.skipped());
        assertTrue(rebuilt.activePolicies().stream().anyMatch(p -> p.getId().equals("ops.zebra")));
        assertTrue(rebuilt.activePolicies().stream().noneMatch(p -> p.getId().equals("ops.gone")));
        assertEquals(List.of("ops.broken"), rebuilt.skipped().stream().map(s -> s.policyId()).toList());
    }

    private static PolicyCatalogUpdater updater(ActivePolicySet active) {
        return new PolicyCatalogUpdater(SafetyStores.POLICIES_STORE, PACK, COMPILER,
                ProtobufSerdes.withoutRegistry().valueDeserializer(SafetyPolicy.class), active);
    }

    private static void send(PolicyCatalogUpdater updater, MockProcessorContext<Void, Void> context, long offset, String key,
                             byte[] value) {
        context.setRecordMetadata(Topics.SAFETY_POLICIES.name(), 0, offset);
        updater.process(new Record<>(key.getBytes(StandardCharsets.UTF_8), value, offset));
    }
}
