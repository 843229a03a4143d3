package io.flywheel.feedback.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.feedback.tally.VoteLedger;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.runtime.state.StateWalk;
import io.flywheel.state.v1.VoteLedgerState;
import java.util.Optional;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Resolves votes in the conversation's own partition (no repartition), and sums the counter
 * changes per (model key, cohort bucket) in {@link PartialSums}. A wall-clock punctuator forwards
 * and resets those partial sums, so the shuffle to the model key carries one record per aggregate
 * key and flush instead of one per event.
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
    private PartialSums partials;
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
        this.partials = new PartialSums(context.getStateStore(FeedbackStores.PARTIALS_STORE), settings);
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
        long bucketStart = settings.buckets().startOf(updated.getCompletionCreatedAtMs());
        if (settings.buckets().isOpen(bucketStart, context.currentStreamTimeMs())) {
            partials.addToBucket(updated.getModel(), updated.getPromptVersion(), bucketStart, delta.get());
        } else {
            partials.addLate(updated.getModel(), updated.getPromptVersion(), delta.get());
            metrics.lateDelta();
        }
    }

    private void flushPartials() {
        long timestamp = Math.max(0, context.currentStreamTimeMs());
        partials.flush((modelKey, partial) -> context.forward(new Record<>(modelKey, partial, timestamp)));
    }

    /** Unambiguous whatever the ids contain: the completion id is length-prefixed. */
    static String ledgerKey(String completionId, String userId) {
        return completionId.length() + ":" + completionId + userId;
    }
}
