package io.flywheel.sampler.topology;

import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.sampling.BoostLedger;
import io.flywheel.sampler.sampling.FeedbackJoinCounts;
import io.flywheel.sampler.sampling.SamplerMemory;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.sampling.StratumTally;
import io.flywheel.state.v1.SamplerTaskState;
import io.flywheel.state.v1.StratumTallyState;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@link SamplerMemory} of one stream task, in its changelogged stores: a restored task
 * continues exactly where it committed (pacers included, so a replay reproduces every rate).
 * Every change is written through; the task state is also kept decoded, loaded once per task.
 */
final class StoreSamplerMemory implements SamplerMemory {

    /** The one key of the per-task store: each task has its own store instance. */
    static final String TASK_KEY = "task";

    private final KeyValueStore<String, StratumTallyState> strata;
    private final KeyValueStore<String, SamplerTaskState> taskStore;
    private final StoreBoostLedger ledger;
    private SamplerTaskState task;
    private FeedbackJoinCounts feedbackStats;

    StoreSamplerMemory(KeyValueStore<String, StratumTallyState> strata, KeyValueStore<String, SamplerTaskState> taskStore,
                       StoreBoostLedger.Stores boostStores) {
        this.strata = strata;
        this.taskStore = taskStore;
        SamplerTaskState stored = taskStore.get(TASK_KEY);
        this.task = stored == null ? SamplerTaskState.getDefaultInstance() : stored;
        this.feedbackStats = SamplerStateCodec.feedback(task.getFeedback());
        this.ledger = new StoreBoostLedger(boostStores, this);
    }

    @Override
    public Optional<StratumTally> stratum(StratumKey stratum) {
        return Optional.ofNullable(strata.get(stratum.encode())).map(SamplerStateCodec::tally);
    }

    @Override
    public void putStratum(StratumKey stratum, StratumTally tally) {
        strata.put(stratum.encode(), SamplerStateCodec.tally(tally));
    }

    @Override
    public void forEachStratum(BiConsumer<StratumKey, StratumTally> action) {
        try (KeyValueIterator<String, StratumTallyState> all = strata.all()) {
            while (all.hasNext()) {
                KeyValue<String, StratumTallyState> entry = all.next();
                action.accept(StratumKey.decode(entry.key), SamplerStateCodec.tally(entry.value));
            }
        }
    }

    @Override
    public FeedbackJoinCounts feedbackStats() {
        return feedbackStats;
    }

    @Override
    public void putFeedbackStats(FeedbackJoinCounts stats) {
        if (!stats.equals(feedbackStats)) {
            feedbackStats = stats;
            update(task.toBuilder().setFeedback(SamplerStateCodec.feedback(stats)).build());
        }
    }

    @Override
    public long streamTimeMs() {
        return task.hasStreamTimeMs() ? task.getStreamTimeMs() : Long.MIN_VALUE;
    }

    @Override
    public void putStreamTimeMs(long streamTimeMs) {
        update(task.toBuilder().setStreamTimeMs(streamTimeMs).build());
    }

    @Override
    public BoostLedger<ScreenedCompletion, FeedbackEvent> boostLedger() {
        return ledger;
    }

    SamplerTaskState task() {
        return task;
    }

    void update(SamplerTaskState next) {
        task = next;
        taskStore.put(TASK_KEY, next);
    }
}
