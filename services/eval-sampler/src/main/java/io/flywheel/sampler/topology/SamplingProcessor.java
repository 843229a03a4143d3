package io.flywheel.sampler.topology;

import com.google.protobuf.Message;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.sampler.sampling.PartitionSampler;
import io.flywheel.sampler.sampling.StratumKey;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The one processor both inputs reach, in the conversation's own partition (the topics are
 * co-partitioned, so no repartition): screened completions and feedback events of a partition,
 * in arrival order, go to that task's {@link PartitionSampler}, whose state lives in the task's
 * stores; the drift status comes from the instance's global store.
 */
final class SamplingProcessor implements Processor<String, Message, String, EvalSample> {

    private final SamplerSettings settings;
    private final SamplerMetrics metrics;
    private ProcessorContext<String, EvalSample> context;
    private StoreSamplerMemory memory;
    private PartitionSampler sampler;

    SamplingProcessor(SamplerSettings settings, SamplerMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, EvalSample> context) {
        int partition = context.taskId().partition();
        if (partition >= settings.partitions()) {
            // Each task holds budget ÷ partitions: with more partitions than configured, every budget is overspent.
            throw new IllegalStateException("task " + context.taskId() + " reads partition " + partition + ", but the sampler "
                    + "is configured for " + settings.partitions() + " partitions: set flywheel.sampler.partitions to the "
                    + "partition count of " + Topics.LLM_COMPLETIONS_SCREENED.name());
        }
        this.context = context;
        this.memory = new StoreSamplerMemory(
                context.getStateStore(SamplerStores.STRATA_STORE),
                context.getStateStore(SamplerStores.TASK_STORE),
                new StoreBoostLedger.Stores(
                        context.getStateStore(SamplerStores.BOOST_COMPLETIONS_STORE),
                        context.getStateStore(SamplerStores.BOOST_PENDING_STORE),
                        context.getStateStore(SamplerStores.BOOST_EXPIRY_STORE)));
        this.sampler = new PartitionSampler(settings.policy(), settings.partitions(), memory,
                new GlobalStoreDriftStatus(context.getStateStore(SamplerStores.DRIFT_ALERTS_STORE)));
    }

    @Override
    public void process(Record<String, Message> record) {
        List<EvalSample> samples;
        if (record.value() instanceof ScreenedCompletion completion) {
            samples = sampler.onCompletion(completion);
            recordBudgetLeft(completion);
        } else if (record.value() instanceof FeedbackEvent feedback) {
            samples = sampler.onFeedback(feedback);
        } else {
            throw new IllegalArgumentException("the sampler reads screened completions and feedback events, not "
                    + (record.value() == null ? "null" : record.value().getClass().getName()));
        }
        for (EvalSample sample : samples) {
            // Input headers (tracing, serde ids of the input's schema) do not describe the sample.
            context.forward(record.withValue(sample).withHeaders(new RecordHeaders()));
            metrics.sampled(sample);
        }
    }

    @Override
    public void close() {
        if (context != null) {
            metrics.taskClosed(context.taskId().partition());
        }
    }

    private void recordBudgetLeft(ScreenedCompletion screened) {
        StratumKey stratum = settings.policy().stratumOf(screened.getCompletion().getModel().getName(),
                screened.getCompletion().getLocale());
        memory.stratum(stratum).ifPresent(tally ->
                metrics.budgetLeft(context.taskId().partition(), stratum, tally.stats().budgetLeft()));
    }
}
