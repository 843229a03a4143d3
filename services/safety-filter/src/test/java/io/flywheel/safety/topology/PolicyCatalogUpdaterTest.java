package io.flywheel.safety.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.streams.RegistryRetries;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.safety.rules.RejectedPolicy;
import io.flywheel.testkit.Eventually;
import io.flywheel.state.v1.PolicyRecordState;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams restores a global store through one processor instance and then processes live
 * records with another: the second must rebuild exactly the catalogue the first applied. A record
 * the registry cannot serve yet waits (the last set stays in force, degraded) and is read later.
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

    @Test
    void aRecordTheRegistryCannotServeWaitsAndTheLastSetStaysInForceUntilItIsRead() {
        MockProcessorContext<Void, Void> context = contextWithStore();
        FlakyRegistry registry = new FlakyRegistry();
        ActivePolicySet active = new ActivePolicySet();
        PolicyCatalogUpdater updater = updater(active, registry, new RegistryRetries("safety-policy-retry"));
        updater.init(context);
        send(updater, context, 0, "ops.zebra", zebra("zebracorn"));
        PolicySet before = active.get();
        assertFalse(before.degraded());

        registry.down = true;
        send(updater, context, 1, "ops.zebra", zebra("zebrafish"));
        send(updater, context, 2, "ops.lion", zebra("lionheart"));
        PolicySet during = active.get();
        assertTrue(during.degraded());
        assertEquals(List.of("ops.zebra", "ops.lion"), during.pending().stream().map(RejectedPolicy::policyId).toList(),
                "oldest first");
        assertTrue(during.pending().get(0).reason().startsWith("schema registry unavailable"), during.pending().get(0).reason());
        assertEquals(before.revision(), during.revision(), "nothing new is in force");
        assertEquals(before.activePolicies(), during.activePolicies(), "the last known set stays in force");
        assertEquals(Decision.BLOCK, during.screen("", "a zebracorn").decision());
        assertTrue(during.skipped().isEmpty(), "a record waiting for the registry is not a bad record");

        assertTrue(updater.retryPending(), "still waiting while the registry is down");
        assertTrue(active.get().degraded());

        registry.down = false;
        assertFalse(updater.retryPending());
        PolicySet after = active.get();
        assertFalse(after.degraded());
        assertEquals(PACK.hash() + "@2", after.revision());
        assertEquals(Decision.ALLOW, after.screen("", "a zebracorn").decision(), "the newer record of ops.zebra replaced it");
        assertEquals(Decision.BLOCK, after.screen("", "a zebrafish").decision());
        assertEquals(Decision.BLOCK, after.screen("", "lionheart").decision());
        assertEquals(List.of("zebrafish", "lionheart"),
                registry.decoded.subList(registry.decoded.size() - 2, registry.decoded.size()), "read in offset order");
    }

    @Test
    void aLaterRecordOfTheSameIdReplacesAWaitingOne() {
        MockProcessorContext<Void, Void> context = contextWithStore();
        FlakyRegistry registry = new FlakyRegistry();
        ActivePolicySet active = new ActivePolicySet();
        PolicyCatalogUpdater updater = updater(active, registry, new RegistryRetries("safety-policy-retry"));
        updater.init(context);
        registry.down = true;
        send(updater, context, 0, "ops.zebra", zebra("zebracorn"));
        assertTrue(active.get().degraded());
        registry.down = false;
        send(updater, context, 1, "ops.zebra", zebra("zebrafish"));
        assertFalse(active.get().degraded());
        assertFalse(updater.retryPending());
        assertEquals(Decision.ALLOW, active.get().screen("", "zebracorn").decision());
        assertEquals(Decision.BLOCK, active.get().screen("", "zebrafish").decision());
    }

    @Test
    void aRecordTheRegistryRefusesForGoodIsSkippedNotPending() {
        MockProcessorContext<Void, Void> context = contextWithStore();
        FlakyRegistry registry = new FlakyRegistry();
        ActivePolicySet active = new ActivePolicySet();
        PolicyCatalogUpdater updater = updater(active, registry, new RegistryRetries("safety-policy-retry"));
        updater.init(context);
        registry.unknownSchema = true;
        send(updater, context, 0, "ops.zebra", zebra("zebracorn"));
        send(updater, context, 1, "ops.garbage", new byte[] {(byte) 0xff, 0x00});
        assertFalse(active.get().degraded());
        assertEquals(List.of("ops.garbage", "ops.zebra"), active.get().skipped().stream().map(RejectedPolicy::policyId).sorted().toList());
    }

    @Test
    void aNewInstanceKeepsTheWaitingRecordsAndReadsThemOnceTheRegistryIsBack() {
        MockProcessorContext<Void, Void> context = contextWithStore();
        FlakyRegistry registry = new FlakyRegistry();
        RegistryRetries retries = new RegistryRetries("safety-policy-retry");
        ActivePolicySet restoring = new ActivePolicySet();
        PolicyCatalogUpdater restorer = updater(restoring, registry, retries);
        restorer.init(context);
        send(restorer, context, 0, "ops.zebra", zebra("zebracorn"));
        registry.down = true;
        send(restorer, context, 1, "ops.zebra", zebra("zebrafish"));

        ActivePolicySet live = new ActivePolicySet();
        PolicyCatalogUpdater liveUpdater = updater(live, registry, retries);
        liveUpdater.init(context);
        assertTrue(live.get().degraded());
        assertEquals(restoring.get().activePolicies(), live.get().activePolicies());
        assertEquals(restoring.get().pending(), live.get().pending());

        registry.down = false;
        assertFalse(liveUpdater.retryPending());
        assertEquals(Decision.BLOCK, live.get().screen("", "zebrafish").decision());
        assertEquals(PACK.hash() + "@1", live.get().revision());
    }

    @Test
    void retriesRunOffTheGlobalThreadWithBackOffUntilTheRegistryAnswers() throws Exception {
        MockProcessorContext<Void, Void> context = contextWithStore();
        FlakyRegistry registry = new FlakyRegistry();
        ActivePolicySet active = new ActivePolicySet();
        PolicyCatalogUpdater updater = updater(active, registry, new RegistryRetries("safety-policy-retry", Duration.ofMillis(20), Duration.ofMillis(80)));
        updater.init(context);
        registry.down = true;
        send(updater, context, 0, "ops.zebra", zebra("zebracorn"));
        Eventually.holds(() -> registry.attempts.get() >= 4, Duration.ofSeconds(10));
        assertTrue(active.get().degraded());
        registry.down = false;
        Eventually.holds(() -> !active.get().degraded(), Duration.ofSeconds(10));
        assertEquals(Decision.BLOCK, active.get().screen("", "zebracorn").decision());
        updater.close();
    }

    private static MockProcessorContext<Void, Void> contextWithStore() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        KeyValueStore<String, PolicyRecordState> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SafetyStores.POLICIES_STORE), Serdes.String(),
                ProtobufSerdes.internal(PolicyRecordState.class)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return context;
    }

    private static byte[] zebra(String keyword) {
        return Completions.keywords("ignored", "animal", List.of(keyword), SafetyAction.BLOCK, 3).toBuilder().clearId().build().toByteArray();
    }

    /** The registry deserializer as seen during an outage: unreachable, or refusing a schema for good. */
    private static final class FlakyRegistry implements Deserializer<SafetyPolicy> {
        private final Deserializer<SafetyPolicy> plain = ProtobufSerdes.withoutRegistry().valueDeserializer(SafetyPolicy.class);
        private final AtomicInteger attempts = new AtomicInteger();
        private final List<String> decoded = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile boolean unknownSchema;

        @Override
        public SafetyPolicy deserialize(String topic, byte[] data) {
            attempts.incrementAndGet();
            if (down) {
                throw new IllegalStateException("registry call failed", new ConnectException("Connection refused"));
            }
            if (unknownSchema) {
                throw new NotFound("no artifact with that global id");
            }
            SafetyPolicy policy = plain.deserialize(topic, data);
            decoded.add(policy.getKeywords().getKeywords(0));
            return policy;
        }
    }

    /** Shaped like a registry client's 404: a status accessor the failure classification reads. */
    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }

        public int getStatus() {
            return 404;
        }
    }

    private static PolicyCatalogUpdater updater(ActivePolicySet active) {
        return updater(active, ProtobufSerdes.withoutRegistry().valueDeserializer(SafetyPolicy.class), new RegistryRetries("safety-policy-retry"));
    }

    private static PolicyCatalogUpdater updater(ActivePolicySet active, Deserializer<SafetyPolicy> deserializer, RegistryRetries retries) {
        return new PolicyCatalogUpdater(SafetyStores.POLICIES_STORE, PACK, COMPILER, deserializer, active, retries);
    }

    private static void send(PolicyCatalogUpdater updater, MockProcessorContext<Void, Void> context, long offset, String key,
                             byte[] value) {
        context.setRecordMetadata(Topics.SAFETY_POLICIES.name(), 0, offset);
        updater.process(new Record<>(key.getBytes(StandardCharsets.UTF_8), value, offset));
    }
}
