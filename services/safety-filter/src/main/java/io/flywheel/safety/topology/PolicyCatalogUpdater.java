package io.flywheel.safety.topology;

import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.PolicyCatalog;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.RejectedPolicy;
import io.flywheel.state.v1.PolicyRecordState;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The global store processor over {@code safety.policies}: decodes each record (registry
 * deserializer), keeps its latest state per policy id in the global store, applies it to the
 * {@link PolicyCatalog} and installs the new {@link PolicySet}.
 *
 * <p>It never throws: an exception on the global thread stops the whole client. A record that
 * cannot be read is skipped and reported (log, metric and the query API) like an invalid policy.
 *
 * <p>Kafka Streams restores a global store through a separate instance of this processor
 * (reprocess-on-restore), then starts the live one; so each instance rebuilds its catalog from
 * the store in {@link #init}, replaying the kept records in offset order.
 */
final class PolicyCatalogUpdater implements Processor<byte[], byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(PolicyCatalogUpdater.class);
    /** How long a registry outage is waited out before the record is reported unreadable. */
    static final Duration REGISTRY_PATIENCE = Duration.ofSeconds(30);
    private static final long REGISTRY_BACKOFF_MS = 500;

    private final String storeName;
    private final DefaultPolicyPack pack;
    private final PolicyCompiler compiler;
    private final Deserializer<SafetyPolicy> deserializer;
    private final ActivePolicySet active;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, PolicyRecordState> store;
    private PolicyCatalog catalog;

    PolicyCatalogUpdater(String storeName, DefaultPolicyPack pack, PolicyCompiler compiler,
                         Deserializer<SafetyPolicy> deserializer, ActivePolicySet active) {
        this.storeName = storeName;
        this.pack = pack;
        this.compiler = compiler;
        this.deserializer = deserializer;
        this.active = active;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.catalog = new PolicyCatalog(pack, compiler);
        List<KeyValue<String, PolicyRecordState>> kept = new ArrayList<>();
        try (KeyValueIterator<String, PolicyRecordState> all = store.all()) {
            all.forEachRemaining(kept::add);
        }
        kept.sort(Comparator.comparingLong(entry -> entry.value.getOffset()));
        for (KeyValue<String, PolicyRecordState> entry : kept) {
            apply(entry.key, entry.value);
        }
        active.install(catalog.current());
        LOG.infof("policy set %s: %d rules, %d disabled, %d skipped", catalog.revision(),
                catalog.current().rules().size(), catalog.current().disabled().size(), catalog.current().skipped().size());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        String id;
        PolicyRecordState state;
        if (record.key() == null) {
            id = "";
            state = unreadable(offset, "record has no key: safety.policies is keyed by policy id");
        } else {
            try {
                id = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(record.key())).toString();
                state = read(record, offset);
            } catch (CharacterCodingException e) {
                id = new String(record.key(), StandardCharsets.UTF_8);
                state = unreadable(offset, "key is not valid UTF-8");
            }
        }
        try {
            store.put(id, state);
            apply(id, state);
            PolicySet set = catalog.current();
            active.install(set);
            report(id, state, set);
        } catch (RuntimeException e) {
            // Nothing above is expected to throw; if it does, the previous set stays in force.
            LOG.errorf(e, "policy record %s at offset %d could not be applied; policy set %s stays in force",
                    id, offset, active.get().revision());
        }
    }

    private PolicyRecordState read(Record<byte[], byte[]> record, long offset) {
        if (record.value() == null) {
            return PolicyRecordState.newBuilder().setOffset(offset).setRemoved(true).build();
        }
        long giveUpAt = System.nanoTime() + REGISTRY_PATIENCE.toNanos();
        while (true) {
            try {
                SafetyPolicy policy = deserializer.deserialize(context.recordMetadata().map(RecordMetadata::topic).orElse(""),
                        record.headers(), record.value());
                if (policy == null) {
                    return unreadable(offset, "value decoded to nothing");
                }
                return PolicyRecordState.newBuilder().setOffset(offset).setPolicy(policy).build();
            } catch (RuntimeException e) {
                if (!RegistryUnavailableException.isTransient(e)) {
                    return unreadable(offset, "not a SafetyPolicy: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                if (System.nanoTime() > giveUpAt) {
                    return unreadable(offset, "schema registry unavailable for " + REGISTRY_PATIENCE.toSeconds()
                            + " s (" + e.getMessage() + "); re-send the record, or restart, once it is back");
                }
                LOG.warnf("schema registry unavailable while reading policy at offset %d, retrying: %s", offset, e.getMessage());
                try {
                    Thread.sleep(REGISTRY_BACKOFF_MS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return unreadable(offset, "interrupted while waiting for the schema registry");
                }
            }
        }
    }

    private void apply(String id, PolicyRecordState state) {
        switch (state.getContentCase()) {
            case POLICY -> catalog.apply(id, state.getPolicy(), state.getOffset());
            case REMOVED -> catalog.apply(id, null, state.getOffset());
            default -> catalog.reject(id, state.getUnreadable(), state.getOffset());
        }
    }

    private static void report(String id, PolicyRecordState state, PolicySet set) {
        for (RejectedPolicy skipped : set.skipped()) {
            if (skipped.policyId().equals(id) && skipped.offset() == state.getOffset()) {
                LOG.warnf("policy '%s' at offset %d skipped: %s (policy set %s)", id, state.getOffset(), skipped.reason(),
                        set.revision());
                return;
            }
        }
        LOG.infof("policy '%s' at offset %d %s; policy set %s", id, state.getOffset(),
                state.getContentCase() == PolicyRecordState.ContentCase.REMOVED ? "removed" : "applied", set.revision());
    }

    private static PolicyRecordState unreadable(long offset, String reason) {
        return PolicyRecordState.newBuilder().setOffset(offset).setUnreadable(reason).build();
    }
}
