package io.flywheel.feedback.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.feedback.tally.FeedbackTally;
import io.flywheel.feedback.tally.VoteLedger;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.AggregateKey;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.runtime.state.StateWalk;
import io.flywheel.state.v1.VoteLedgerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Resolves votes in the conversation's own partition (no repartition), and sums the counter
 * changes per aggregate key in a changelogged store. A wall-clock punctuator forwards and resets
 * those partial sums, so the shuffle to the model key carries one record per key and flush
 * instead of one per event.
 *
 * <p>A ledger is kept until stream time passes its completion's creation time plus the vote
 * expiry, then removed through an expiry index. Feedback about a completion that old is not
 * counted, whether or not its ledger is still there: a change could no longer retract the vote it
 * replaces, so the aggregates keep each user's last counted vote rather than count one twice.
 */
final class VoteResolution implements Processor<String, FeedbackEvent, String, FeedbackAggregate> {

    private final AggregatorSettings settings;
    private final FeedbackMetrics metrics;
    private ProcessorContext<String, FeedbackAggregate> context;
    private KeyValueStore<String, VoteLedgerState> ledgers;
    private KeyValueStore<String, FeedbackAggregate> partials;
    private ExpiryIndex expiry;
    /** Indexes ledgers kept before the expiry index existed. */
    private StateWalk<VoteLedgerState> unindexed;

    VoteResolution(AggregatorSettings settings, FeedbackMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, FeedbackAggregate> context) {
        this.context = context;
        this.ledgers = context.getStateStore(FeedbackStores.VOTES_STORE);
        this.partials = context.getStateStore(FeedbackStores.PARTIALS_STORE);
        KeyValueStore<String, byte[]> expiryStore = context.getStateStore(FeedbackStores.VOTE_EXPIRY_STORE);
        this.expiry = new ExpiryIndex(expiryStore);
        this.unindexed = new StateWalk<>(ledgers, expiryStore, "~indexed-ledgers");
        context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
            flushPartials();
            unindexed.step(ExpiryIndex.SWEEP_BATCH, (key, ledger) -> expiry.schedule(key, expiresAtMs(ledger.getCompletionCreatedAtMs())));
        });
        context.schedule(ExpiryIndex.sweepInterval(settings.voteExpiry()), PunctuationType.STREAM_TIME,
                streamTime -> expiry.sweep(streamTime, ledgers::delete));
    }

    private long expiresAtMs(long completionCreatedAtMs) {
        return completionCreatedAtMs + settings.voteExpiry().toMillis();
    }

    @Override
    public void process(Record<String, FeedbackEvent> record) {
        FeedbackEvent event = record.value();
        long streamTime = context.currentStreamTimeMs();
        expiry.catchUp(streamTime, ledgers::delete);
        String ledgerKey = ledgerKey(event.getCompletionId(), event.getUserId());
        VoteLedgerState stored = ledgers.get(ledgerKey);
        long createdAt = stored != null ? stored.getCompletionCreatedAtMs() : Timestamps.toMillis(event.getCompletionCreatedAt());
        if (streamTime >= expiresAtMs(createdAt)) {
            metrics.expired();
            return;
        }
        if (stored == null) {
            expiry.schedule(ledgerKey, expiresAtMs(createdAt));
        }
        VoteLedger ledger = VoteLedger.of(stored, event);
        Optional<FeedbackAggregate> delta = ledger.apply(event);
        VoteLedgerState updated = ledger.state();
        if (!updated.equals(stored)) {
            ledgers.put(ledgerKey, updated);
        }
        if (delta.isEmpty()) {
            return;
        }
        // Attribution follows the ledger (the completion's first-seen model and creation time), so
        // a later change retracts from exactly where the earlier vote was counted.
        AggregateKey modelKey = AggregateKey.allTime(updated.getModel().getName(), updated.getModel().getVersion(),
                updated.getPromptVersion());
        addPartial(modelKey, delta.get());
        long bucketStart = settings.buckets().startOf(updated.getCompletionCreatedAtMs());
        if (settings.buckets().isOpen(bucketStart, context.currentStreamTimeMs())) {
            addPartial(modelKey.bucket(java.time.Instant.ofEpochMilli(bucketStart)), delta.get());
        } else {
            addPartial(modelKey, FeedbackTally.zeroDelta().setTooLate(1).build());
            metrics.lateDelta();
        }
    }

    private void addPartial(AggregateKey key, FeedbackAggregate delta) {
        String storeKey = key.encode();
        FeedbackAggregate current = partials.get(storeKey);
        FeedbackAggregate.Builder sum;
        if (current == null) {
            sum = FeedbackTally.zero(
                    io.flywheel.events.v1.ModelRef.newBuilder().setName(key.modelName()).setVersion(key.modelVersion()).build(),
                    key.promptVersion(),
                    key.bucketStart().map(start -> settings.buckets().bucket(start.toEpochMilli())).orElse(null));
        } else {
            sum = current.toBuilder();
        }
        FeedbackTally.add(sum, delta);
        partials.put(storeKey, sum.build());
    }

    private void flushPartials() {
        List<KeyValue<String, FeedbackAggregate>> pending = new ArrayList<>();
        try (KeyValueIterator<String, FeedbackAggregate> all = partials.all()) {
            all.forEachRemaining(pending::add);
        }
        long timestamp = Math.max(0, context.currentStreamTimeMs());
        for (KeyValue<String, FeedbackAggregate> partial : pending) {
            partials.delete(partial.key);
            if (!FeedbackTally.isZero(partial.value)) {
                String modelKey = AggregateKey.decode(partial.key).modelKey().encode();
                context.forward(new Record<>(modelKey, partial.value, timestamp));
            }
        }
    }

    /** Unambiguous whatever the ids contain: the completion id is length-prefixed. */
    static String ledgerKey(String completionId, String userId) {
        return completionId.length() + ":" + completionId + userId;
    }
}
