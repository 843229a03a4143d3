package io.flywheel.sampler.sampling;

import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;

/**
 * Runs one {@link PartitionSampler} per partition over arrivals in arrival order, the way the
 * topology will: records keyed by conversation_id, partitioned like Kafka's default partitioner
 * (murmur2), each task seeing only its partition's records in order.
 */
final class SamplerHarness {

    /** One record reaching the sampler at {@code atMs}: a completion, a feedback event, or a drift change. */
    record Arrival(long atMs, ScreenedCompletion completion, FeedbackEvent feedback, Runnable sideEffect) {

        static Arrival of(long atMs, ScreenedCompletion completion) {
            return new Arrival(atMs, completion, null, null);
        }

        static Arrival of(long atMs, FeedbackEvent feedback) {
            return new Arrival(atMs, null, feedback, null);
        }

        static Arrival sideEffect(long atMs, Runnable action) {
            return new Arrival(atMs, null, null, action);
        }

        String conversationId() {
            return completion != null ? completion.getCompletion().getConversationId() : feedback.getConversationId();
        }
    }

    static final Comparator<Arrival> ARRIVAL_ORDER = Comparator.comparingLong(Arrival::atMs);

    private final int partitions;
    private final List<PartitionSampler> tasks = new ArrayList<>();

    SamplerHarness(SamplingPolicy policy, int partitions, DriftStatus drift) {
        this.partitions = partitions;
        for (int p = 0; p < partitions; p++) {
            tasks.add(new PartitionSampler(policy, partitions, new InMemorySamplerMemory(), drift));
        }
    }

    static int partitionOf(String conversationId, int partitions) {
        return Utils.toPositive(Utils.murmur2(conversationId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Feeds arrivals (already in arrival order) and returns every sample emitted, in emission order. */
    List<EvalSample> run(List<Arrival> arrivals) {
        List<EvalSample> samples = new ArrayList<>();
        for (Arrival arrival : arrivals) {
            if (arrival.sideEffect() != null) {
                arrival.sideEffect().run();
                continue;
            }
            PartitionSampler task = tasks.get(partitionOf(arrival.conversationId(), partitions));
            samples.addAll(arrival.completion() != null
                    ? task.onCompletion(arrival.completion()) : task.onFeedback(arrival.feedback()));
        }
        return samples;
    }

    PartitionSampler task(int partition) {
        return tasks.get(partition);
    }

    /** Statistics summed over every task, as the query API will serve them. */
    Map<StratumKey, StratumSummary> mergedStats() {
        Map<StratumKey, StratumSummary> merged = new TreeMap<>();
        for (PartitionSampler task : tasks) {
            task.stats().forEach((stratum, stats) -> merged.merge(stratum, stats, StratumSummary::merge));
        }
        return merged;
    }

    FeedbackJoinCounts mergedFeedbackStats() {
        FeedbackJoinCounts merged = FeedbackJoinCounts.EMPTY;
        for (PartitionSampler task : tasks) {
            merged = merged.merge(task.feedbackStats());
        }
        return merged;
    }
}
