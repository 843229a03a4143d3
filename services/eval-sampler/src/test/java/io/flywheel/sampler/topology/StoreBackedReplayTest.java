package io.flywheel.sampler.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.sampler.sampling.DriftStatus;
import io.flywheel.sampler.sampling.InMemorySamplerMemory;
import io.flywheel.sampler.sampling.PartitionSampler;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.sampling.StratumSummary;
import io.flywheel.state.v1.StratumTallyState;
import io.flywheel.testkit.TopologyTestDrivers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The store-backed sampler decides exactly like the in-memory one: budgeted strata over several
 * periods (pacer state through the stores), safety verdicts, negative feedback in both orders and
 * outside the window, re-deliveries and expiry. Same input, same samples in the same order, same
 * statistics; and a second run of the topology reproduces the first bit for bit.
 */
class StoreBackedReplayTest {

    /** Small: the test driver flushes every RocksDB store after every record. */
    private static final int ARRIVALS = 450;
    private static final long T0 = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();
    private static final SamplingPolicy POLICY = ConfigFixtures.policy(Map.of(
            "salt", "replay-test",
            "period", "2m",
            "epoch", "20s",
            "default.base-rate", "0.2",
            "strata.gpt-a.budget-per-period", "12",
            "strata.gpt-b.base-rate", "0.05",
            "safety-rate", "0.5",
            "negative-feedback-rate", "0.9",
            "boost-window", "2m",
            "boost-grace", "30s"));

    /** Arrivals in partition order: completions (some re-delivered) and feedback, some before its completion. */
    static List<Message> traffic(long seed) {
        Random random = new Random(seed);
        String[] models = {"gpt-a", "gpt-b", "llama-c"};
        List<Message> arrivals = new ArrayList<>();
        List<FeedbackEvent> pending = new ArrayList<>();
        for (int i = 0; i < ARRIVALS; i++) {
            long createdAt = T0 + i * 1000L + random.nextInt(900);
            SafetyVerdict.Decision decision = random.nextInt(25) == 0 ? SafetyVerdict.Decision.FLAG : SafetyVerdict.Decision.ALLOW;
            ScreenedCompletion c = SamplerEvents.completion("conv-" + random.nextInt(ARRIVALS / 3), "c" + i,
                    models[random.nextInt(models.length)], createdAt, decision);
            boolean feedbackFirst = random.nextInt(20) == 0;
            if (random.nextInt(5) == 0) {
                long delay = random.nextInt(4) == 0 ? 3 * 60_000 : random.nextInt(60_000);
                FeedbackEvent down = SamplerEvents.thumbDown("f" + i, c, createdAt + delay);
                if (feedbackFirst) {
                    arrivals.add(down);
                } else {
                    pending.add(down);
                }
            }
            arrivals.add(c);
            if (random.nextInt(50) == 0) {
                arrivals.add(c);
            }
            if (!pending.isEmpty() && random.nextInt(3) == 0) {
                arrivals.add(pending.remove(0));
            }
        }
        arrivals.addAll(pending);
        return arrivals;
    }

    private static long timestampOf(Message message) {
        return message instanceof ScreenedCompletion c ? Timestamps.toMillis(c.getCompletion().getCreatedAt())
                : Timestamps.toMillis(((FeedbackEvent) message).getOccurredAt());
    }

    private record Run(List<EvalSample> samples, Map<StratumKey, StratumSummary> stats) {
    }

    private static Run topologyRun(List<Message> arrivals, long cacheBytes) {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        SamplerSettings settings = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID, POLICY);
        try (TopologyTestDriver driver = TopologyTestDrivers.open(SamplerTopology.build(settings, serdes, new SkippedAlerts()),
                settings.applicationId(), cacheBytes, Instant.ofEpochMilli(T0))) {
            TestInputTopic<String, ScreenedCompletion> completions = driver.createInputTopic(Topics.LLM_COMPLETIONS_SCREENED.name(),
                    new StringSerializer(), serdes.valueSerializer(ScreenedCompletion.class));
            TestInputTopic<String, FeedbackEvent> feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(),
                    new StringSerializer(), serdes.valueSerializer(FeedbackEvent.class));
            Instant wallClock = Instant.ofEpochMilli(T0);
            for (Message arrival : arrivals) {
                Instant at = Instant.ofEpochMilli(timestampOf(arrival));
                if (at.isAfter(wallClock)) {
                    // Event times must not run ahead of the wall clock by more than the allowed skew.
                    driver.advanceWallClockTime(Duration.between(wallClock, at));
                    wallClock = at;
                }
                if (arrival instanceof ScreenedCompletion c) {
                    completions.pipeInput(c.getCompletion().getConversationId(), c, at);
                } else {
                    FeedbackEvent f = (FeedbackEvent) arrival;
                    feedback.pipeInput(f.getConversationId(), f, at);
                }
            }
            List<EvalSample> samples = driver.createOutputTopic(Topics.EVAL_SAMPLES.name(), new StringDeserializer(),
                    serdes.valueDeserializer(EvalSample.class)).readValuesToList();
            Map<StratumKey, StratumSummary> stats = new TreeMap<>();
            KeyValueStore<String, StratumTallyState> strata = driver.getKeyValueStore(SamplerStores.STRATA_STORE);
            try (KeyValueIterator<String, StratumTallyState> all = strata.all()) {
                while (all.hasNext()) {
                    KeyValue<String, StratumTallyState> entry = all.next();
                    stats.put(StratumKey.decode(entry.key), SamplerStateCodec.stats(entry.value.getStats()));
                }
            }
            return new Run(samples, stats);
        }
    }

    private static Run inMemoryRun(List<Message> arrivals) {
        PartitionSampler sampler = new PartitionSampler(POLICY, Topics.CONVERSATION_PARTITIONS, new InMemorySamplerMemory(),
                DriftStatus.NONE);
        List<EvalSample> samples = new ArrayList<>();
        for (Message arrival : arrivals) {
            samples.addAll(arrival instanceof ScreenedCompletion c ? sampler.onCompletion(c) : sampler.onFeedback((FeedbackEvent) arrival));
        }
        return new Run(samples, sampler.stats());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 10 << 20})
    void theStoreBackedSamplerDecidesLikeTheInMemoryOneAndReplaysBitForBit(long cache) {
        List<Message> arrivals = traffic(11);
        Run expected = inMemoryRun(arrivals);
        Run actual = topologyRun(arrivals, cache);
        assertTrue(expected.samples().size() > 40, "the traffic must sample something: " + expected.samples().size());
        assertTrue(expected.samples().stream().anyMatch(s -> s.getReason() == EvalSample.Reason.NEGATIVE_FEEDBACK));
        assertTrue(expected.samples().stream().anyMatch(s -> s.getReason() == EvalSample.Reason.SAFETY));
        assertTrue(expected.stats().get(StratumKey.ofModel("gpt-a")).dropped() > 0, "the budget of gpt-a binds");
        assertEquals(expected.samples(), actual.samples());
        assertEquals(expected.stats(), actual.stats());
        assertEquals(actual, topologyRun(arrivals, cache), "a replay of the partition reproduces every sample and rate");
    }
}
