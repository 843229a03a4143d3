package io.flywheel.safety.topology;

import static io.flywheel.safety.topology.Completions.completion;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.Completion;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.EscalationRule;
import io.flywheel.testkit.TopologyTestDrivers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The verdict index and the verdicts it points at stop growing under a steady rate far above what
 * one sweep per interval removes: the records after a sweep that found more due catch up.
 */
class VerdictSweepTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration RETENTION = Duration.ofSeconds(2);
    /** Completions per millisecond of stream time: 1,000/s, twice what one sweep a second takes away. */
    private static final int PER_MS = 1;
    private static final int SECONDS = 10;

    @Test
    void verdictStateStopsGrowingAtTwiceWhatOneSweepPerIntervalRemoves() {
        Duration interval = ExpiryIndex.sweepInterval(RETENTION);
        long perInterval = PER_MS * interval.toMillis();
        assertTrue(perInterval >= 2L * ExpiryIndex.SWEEP_BATCH, "the rate must outrun one batch per sweep");
        SafetySettings settings = new SafetySettings("safety-filter", DetectorSettings.DEFAULTS,
                new EscalationRule(Duration.ofHours(1), 10), Duration.ofHours(2), 5, RETENTION, 10);
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        try (TopologyTestDriver driver = TopologyTestDrivers.open(SafetyTopology.build(settings, serdes, new ActivePolicySet()),
                settings.applicationId(), 0, WALL_CLOCK)) {
            TestInputTopic<String, Completion> completions = driver.createInputTopic(Topics.LLM_COMPLETIONS.name(),
                    new StringSerializer(), serdes.valueSerializer(Completion.class));
            KeyValueStore<String, byte[]> index = driver.getKeyValueStore(SafetyStores.VERDICT_EXPIRY_STORE);
            KeyValueStore<String, ?> verdicts = driver.getKeyValueStore(SafetyStores.VERDICTS_STORE);
            List<Long> indexSizes = new ArrayList<>();
            List<Long> verdictSizes = new ArrayList<>();
            int n = 0;
            for (long ms = 0; ms < SECONDS * 1000L; ms++) {
                Instant at = T0.plusMillis(ms);
                for (int i = 0; i < PER_MS; i++, n++) {
                    // A new conversation each time: one verdict and one index entry per completion.
                    completions.pipeInput("conv-" + n, completion("c" + n, "conv-" + n, "u" + (n % 100), at, "", "fine " + n), at);
                }
                if (ms % 1000 == 999) {
                    indexSizes.add(count(index));
                    verdictSizes.add(count(verdicts));
                }
            }
            // Live: what arrived within the retention; due but not yet expired: at most one interval's worth.
            long bound = PER_MS * (RETENTION.toMillis() + 2 * interval.toMillis());
            int settled = (int) (RETENTION.toSeconds() + 2 * interval.toSeconds());
            for (List<Long> sizes : List.of(indexSizes, verdictSizes)) {
                List<Long> steady = sizes.subList(settled, sizes.size());
                assertTrue(steady.stream().allMatch(size -> size <= bound), () -> "above " + bound + ": " + sizes);
                assertTrue(sizes.get(sizes.size() - 1) <= steady.get(0), () -> "still growing: " + sizes);
            }
        }
    }

    private static long count(KeyValueStore<String, ?> store) {
        long count = 0;
        try (KeyValueIterator<String, ?> all = store.all()) {
            for (; all.hasNext(); all.next()) {
                count++;
            }
        }
        return count;
    }
}
