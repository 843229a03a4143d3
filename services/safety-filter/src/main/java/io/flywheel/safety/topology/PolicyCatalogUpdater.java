package io.flywheel.safety.topology;

import com.google.protobuf.ByteString;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.flywheel.runtime.streams.RegistryRetries;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.PolicyCatalog;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.RejectedPolicy;
import io.flywheel.state.v1.PendingPolicyRecord;
import io.flywheel.state.v1.PolicyRecordHeader;
import io.flywheel.state.v1.PolicyRecordState;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * <p>It never throws for a record: an exception on the global thread stops the whole client. A
 * record that cannot be read (no key, garbage bytes, a schema the registry says does not exist)
 * is skipped and reported (log, metric and the query API) like an invalid policy. The one
 * exception is a registry that refuses this service's credentials or TLS: that is a setting to
 * fix, not a record to skip, so the client stops with a message naming the settings.
 *
 * <p>A record that cannot be decoded because the registry is unreachable is <em>pending</em>: its
 * bytes are kept in the store next to the last record of its id that could be read, which stays
 * in force; the set reports itself degraded; {@link RegistryRetries} tries again with back-off, off
 * the global thread, and applies what it can read in offset order. A later record of the same id
 * replaces a pending one.
 *
 * <p>Kafka Streams restores a global store through a separate instance of this processor
 * (reprocess-on-restore), then starts the live one; so each instance rebuilds its catalog from
 * the store in {@link #init}, replaying the kept records in offset order.
 *
 * <p>Longer than most classes here: reading, restore-time replay and pending records all keep the
 * store's offset order, the one thing that makes the revision right, so they stay in one place.
 */
final class PolicyCatalogUpdater implements Processor<byte[], byte[], Void, Void>, RegistryRetries.Pending {

    private static final Logger LOG = Logger.getLogger(PolicyCatalogUpdater.class);

    private final String storeName;
    private final DefaultPolicyPack pack;
    private final PolicyCompiler compiler;
    private final Deserializer<SafetyPolicy> deserializer;
    private final ActivePolicySet active;
    private final RegistryRetries retries;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, PolicyRecordState> store;
    private PolicyCatalog catalog;

    PolicyCatalogUpdater(String storeName, DefaultPolicyPack pack, PolicyCompiler compiler,
                         Deserializer<SafetyPolicy> deserializer, ActivePolicySet active, RegistryRetries retries) {
        this.storeName = storeName;
        this.pack = pack;
        this.compiler = compiler;
        this.deserializer = deserializer;
        this.active = active;
        this.retries = retries;
    }

    @Override
    public synchronized void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.catalog = new PolicyCatalog(pack, compiler);
        List<KeyValue<String, PolicyRecordState>> kept = new ArrayList<>();
        try (KeyValueIterator<String, PolicyRecordState> all = store.all()) {
            all.forEachRemaining(kept::add);
        }
        kept.sort(Comparator.comparingLong(entry -> entry.value.getOffset()));
        for (KeyValue<String, PolicyRecordState> entry : kept) {
            try {
                apply(entry.key, entry.value);
            } catch (RuntimeException e) {
                // A stored record must never stop a start: it is reported, the rest still applies.
                catalog.reject(entry.key, "could not be applied: " + e, entry.value.getOffset());
            }
        }
        active.install(catalog.current());
        retries.attach(this);
        if (catalog.current().degraded()) {
            retries.retryLater();
        }
        LOG.infof("policy set %s: %d rules, %d disabled, %d skipped, %d waiting for the schema registry", catalog.revision(),
                catalog.current().rules().size(), catalog.current().disabled().size(), catalog.current().skipped().size(),
                catalog.current().pending().size());
    }

    @Override
    public void close() {
        retries.detach(this);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        String id;
        Read read;
        if (record.key() == null) {
            id = "";
            read = new Read(unreadable(offset, "record has no key: safety.policies is keyed by policy id"), null);
        } else {
            try {
                id = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(record.key())).toString();
                read = read(record.value(), record.headers(), offset);
            } catch (CharacterCodingException e) {
                id = new String(record.key(), StandardCharsets.UTF_8);
                read = new Read(unreadable(offset, "key is not valid UTF-8"), null);
            }
        }
        synchronized (this) {
            try {
                if (read.state() != null) {
                    store.put(id, read.state());
                    apply(id, read.state());
                } else {
                    PendingPolicyRecord pending = pendingRecord(record, offset, read.registryFailure());
                    PolicyRecordState earlier = store.get(id);
                    store.put(id, (earlier == null ? PolicyRecordState.newBuilder().setOffset(-1) : earlier.toBuilder())
                            .setPending(pending).build());
                    catalog.pending(id, pending.getReason(), offset);
                    retries.retryLater();
                }
                PolicySet set = catalog.current();
                active.install(set);
                report(id, offset, read.state(), set);
            } catch (RuntimeException e) {
                // Nothing above is expected to throw; if it does, the previous set stays in force.
                LOG.errorf(e, "policy record %s at offset %d could not be applied; policy set %s stays in force",
                        id, offset, active.get().revision());
            }
        }
    }

    /**
     * One attempt at every pending record, in offset order, stopping at the first the registry
     * still cannot serve (so records are applied in the order they were written).
     *
     * @return true while some record still waits
     */
    @Override
    public boolean retryPending() {
        List<KeyValue<String, PendingPolicyRecord>> waiting = new ArrayList<>();
        synchronized (this) {
            try (KeyValueIterator<String, PolicyRecordState> all = store.all()) {
                all.forEachRemaining(entry -> {
                    if (entry.value.hasPending()) {
                        waiting.add(KeyValue.pair(entry.key, entry.value.getPending()));
                    }
                });
            }
        }
        waiting.sort(Comparator.comparingLong(entry -> entry.value.getOffset()));
        for (KeyValue<String, PendingPolicyRecord> entry : waiting) {
            PendingPolicyRecord pending = entry.value;
            Read read;
            try {
                read = read(pending.getValue().toByteArray(), headersOf(pending), pending.getOffset());
            } catch (RegistryAccessException e) {
                LOG.error(e.getMessage(), e);
                read = new Read(null, e.getMessage());
            }
            synchronized (this) {
                PolicyRecordState current = store.get(entry.key);
                if (current == null || !current.hasPending() || current.getPending().getOffset() != pending.getOffset()) {
                    continue; // a later record of this id has replaced it meanwhile
                }
                if (read.state() == null) {
                    store.put(entry.key, current.toBuilder().setPending(pending.toBuilder().setReason(read.registryFailure())).build());
                    catalog.pending(entry.key, read.registryFailure(), pending.getOffset());
                    active.install(catalog.current());
                    LOG.warnf("schema registry still unavailable; %d policy record(s) wait, policy set %s stays in force: %s",
                            catalog.current().pending().size(), catalog.revision(), read.registryFailure());
                    return true;
                }
                store.put(entry.key, read.state());
                apply(entry.key, read.state());
                PolicySet set = catalog.current();
                active.install(set);
                report(entry.key, pending.getOffset(), read.state(), set);
            }
        }
        synchronized (this) {
            return catalog.current().degraded();
        }
    }

    /** What a record says: a state to keep, or (state null) the registry failure it waits on. */
    private record Read(PolicyRecordState state, String registryFailure) {
    }

    /** One decoding attempt; never waits. */
    private Read read(byte[] value, Headers headers, long offset) {
        if (value == null) {
            return new Read(PolicyRecordState.newBuilder().setOffset(offset).setRemoved(true).build(), null);
        }
        try {
            SafetyPolicy policy = deserializer.deserialize(Topics.SAFETY_POLICIES.name(), headers, value);
            if (policy == null) {
                return new Read(unreadable(offset, "value decoded to nothing"), null);
            }
            return new Read(PolicyRecordState.newBuilder().setOffset(offset).setPolicy(policy).build(), null);
        } catch (RuntimeException | StackOverflowError e) {
            if (RegistryAccessException.isCauseOf(e)) {
                throw new RegistryAccessException("the schema registry refused this service's credentials or TLS while reading "
                        + Topics.SAFETY_POLICIES.name() + ": check flywheel.registry.url and flywheel.registry.serde.*", e);
            }
            if (RegistryUnavailableException.isTransient(e)) {
                return new Read(null, "schema registry unavailable: " + e.getMessage());
            }
            return new Read(unreadable(offset, "not a SafetyPolicy: " + e.getClass().getSimpleName() + ": " + e.getMessage()), null);
        }
    }

    private void apply(String id, PolicyRecordState state) {
        switch (state.getContentCase()) {
            case POLICY -> catalog.apply(id, state.getPolicy(), state.getOffset());
            case REMOVED -> catalog.apply(id, null, state.getOffset());
            case UNREADABLE -> catalog.reject(id, state.getUnreadable(), state.getOffset());
            case CONTENT_NOT_SET -> {
                // only a pending record so far: nothing of this id was ever in force here
            }
        }
        if (state.hasPending()) {
            catalog.pending(id, state.getPending().getReason(), state.getPending().getOffset());
        }
    }

    private static PendingPolicyRecord pendingRecord(Record<byte[], byte[]> record, long offset, String reason) {
        PendingPolicyRecord.Builder pending = PendingPolicyRecord.newBuilder()
                .setOffset(offset)
                .setValue(ByteString.copyFrom(record.value()))
                .setReason(reason);
        for (Header header : record.headers()) {
            pending.addHeaders(PolicyRecordHeader.newBuilder().setKey(header.key())
                    .setValue(header.value() == null ? ByteString.EMPTY : ByteString.copyFrom(header.value())));
        }
        return pending.build();
    }

    private static Headers headersOf(PendingPolicyRecord pending) {
        RecordHeaders headers = new RecordHeaders();
        pending.getHeadersList().forEach(header -> headers.add(header.getKey(), header.getValue().toByteArray()));
        return headers;
    }

    private static void report(String id, long offset, PolicyRecordState state, PolicySet set) {
        if (state == null) {
            LOG.warnf("policy '%s' at offset %d waits for the schema registry; policy set %s stays in force (degraded)",
                    id, offset, set.revision());
            return;
        }
        for (RejectedPolicy skipped : set.skipped()) {
            if (skipped.policyId().equals(id) && skipped.offset() == offset) {
                LOG.warnf("policy '%s' at offset %d skipped: %s (policy set %s)", id, offset, skipped.reason(),
                        set.revision());
                return;
            }
        }
        LOG.infof("policy '%s' at offset %d %s; policy set %s%s", id, offset,
                state.getContentCase() == PolicyRecordState.ContentCase.REMOVED ? "removed" : "applied", set.revision(),
                set.degraded() ? " (degraded: " + set.pending().size() + " record(s) wait for the schema registry)" : "");
    }

    private static PolicyRecordState unreadable(long offset, String reason) {
        return PolicyRecordState.newBuilder().setOffset(offset).setUnreadable(reason).build();
    }
}
