package io.flywheel.feedback.topology;

import static io.flywheel.feedback.topology.FeedbackEvents.MODEL;
import static io.flywheel.feedback.topology.FeedbackEvents.PROMPT;
import static io.flywheel.feedback.topology.FeedbackEvents.thumb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.feedback.tally.CohortBuckets;
import io.flywheel.feedback.tally.DriftDetector;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.testkit.TopologyTestDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every store of the aggregator stops growing under a steady workload: vote ledgers expire, bucket
 * aggregates past retention leave the store, the indexes shrink with them; and the key index
 * holds each all-time aggregate once per order, in the order the queries rank by.
 */
class BoundedStateTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration WIDTH = Duration.ofMinutes(1);
    private static final Duration RETENTION = Duration.ofMinutes(2);
    private static final Duration VOTE_EXPIRY = Duration.ofMinutes(5);
    private static final Duration REMOVAL = Duration.ofMinutes(1);
    private static final AggregatorSettings SETTINGS = new AggregatorSettings("feedback-aggregator",
            new CohortBuckets(WIDTH, RETENTION), Duration.ofMinutes(5), Duration.ofMillis(100),
            new DriftDetector(3, 20, 3.0, 1.0), VOTE_EXPIRY, REMOVAL);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, FeedbackEvent> feedback;
    private TestOutputTopic<String, FeedbackAggregate> aggregates;

    private void start() {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        driver = TopologyTestDrivers.open(FeedbackTopology.build(SETTINGS, serdes, new FeedbackMetrics(registry)),
                SETTINGS.applicationId(), 0, WALL_CLOCK);
        feedback = driver.createInputTopic(Topics.FEEDBACK_EVENTS.name(), new StringSerializer(),
                serdes.valueSerializer(FeedbackEvent.class));
        aggregates = driver.createOutputTopic(Topics.FEEDBACK_AGGREGATES.name(), new StringDeserializer(),
                serdes.valueDeserializer(FeedbackAggregate.class));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(FeedbackEvent event) {
        feedback.pipeInput(event.getConversationId(), event, Timestamps.toMillis(event.getOccurredAt()));
    }

    private void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(150));
    }

    @Test
    void feedbackAboutACompletionPastTheVoteExpiryIsNotCountedAndItsLedgerIsGone() {
        start();
        send(thumb("f1", "c1", "u1", T0, T0.plusSeconds(10), true));
        flush();
        KeyValueStore<String, ?> ledgers = driver.getKeyValueStore(FeedbackStores.VOTES_STORE);
        String ledgerKey = VoteResolution.ledgerKey("c1", "u1");
        assertNotNull(ledgers.get(ledgerKey));

        // Stream time moves past c1's creation + 5 min (other traffic), and the sweep removes its ledger.
        Instant later = T0.plus(VOTE_EXPIRY).plusSeconds(90);
        send(thumb("f2", "c2", "u2", later, later, true));
        flush();
        assertNull(ledgers.get(ledgerKey), "the ledger of c1 expired");

        // u1 changes the vote on c1, u3 votes for the first time: neither is counted.
        send(thumb("f3", "c1", "u1", T0, later.plusSeconds(1), false));
        send(thumb("f4", "c1", "u3", T0, later.plusSeconds(2), false));
        flush();
        FeedbackAggregate allTime = aggregates.readKeyValuesToMap().get(allTime().encode());
        assertEquals(2, allTime.getThumbsUp(), "u1's last counted vote stays, u2's counts");
        assertEquals(0, allTime.getThumbsDown(), "a change to an expired vote is never counted twice");
        assertEquals(2.0, registry.find("flywheel.feedback.expired").counter().count());
        assertNull(ledgers.get(ledgerKey), "dropped feedback leaves no ledger behind");
    }

    @Test
    void storesStopGrowingUnderASteadyWorkload() {
        start();
        Map<String, List<Long>> sizes = new TreeMap<>();
        List<String> stores = List.of(FeedbackStores.VOTES_STORE, FeedbackStores.VOTE_EXPIRY_STORE, FeedbackStores.AGGREGATES_STORE,
                FeedbackStores.BUCKET_EXPIRY_STORE, FeedbackStores.KEY_INDEX_STORE);
        int minutes = 24;
        int perSecond = 2;
        int n = 0;
        for (int second = 0; second < minutes * 60; second++) {
            Instant now = T0.plusSeconds(second);
            for (int i = 0; i < perSecond; i++, n++) {
                // A completion created now, voted on at once and changed a little later by the same user.
                String completion = "c" + n;
                send(thumb("up-" + n, completion, "u" + (n % 50), now, now, true));
                send(thumb("down-" + n, completion, "u" + (n % 50), now, now.plusMillis(500), n % 3 == 0));
            }
            flush();
            if (second % 60 == 59) {
                stores.forEach(store -> sizes.computeIfAbsent(store, s -> new ArrayList<>()).add(count(store)));
            }
        }
        // Settled once the first ledgers expired and the first buckets were removed.
        long removalMinutes = (SETTINGS.bucketRemovedAtMs(0) - WIDTH.toMillis()) / 60_000 + 1;
        int settled = (int) Math.max(VOTE_EXPIRY.toMinutes(), removalMinutes) + 2;
        long interval = ExpiryIndex.sweepInterval(VOTE_EXPIRY).toSeconds();
        long ledgerBound = perSecond * (VOTE_EXPIRY.toSeconds() + 2 * interval);
        long bucketBound = (SETTINGS.bucketRemovedAtMs(0) - 0) / WIDTH.toMillis() + 2;
        Map<String, Long> bounds = Map.of(FeedbackStores.VOTES_STORE, ledgerBound, FeedbackStores.VOTE_EXPIRY_STORE, ledgerBound,
                FeedbackStores.AGGREGATES_STORE, 1 + bucketBound, FeedbackStores.BUCKET_EXPIRY_STORE, bucketBound,
                FeedbackStores.KEY_INDEX_STORE, 3L);
        for (String store : stores) {
            List<Long> series = sizes.get(store);
            List<Long> steady = series.subList(settled, series.size());
            assertTrue(steady.stream().allMatch(size -> size <= bounds.get(store)),
                    () -> store + " above " + bounds.get(store) + ": " + series);
            assertTrue(series.get(series.size() - 1) <= steady.get(0), () -> store + " still growing: " + series);
        }
        FeedbackAggregate allTime = aggregates.readKeyValuesToMap().get(allTime().encode());
        assertEquals(n, allTime.getThumbsUp() + allTime.getThumbsDown(), "every completion's vote counted once in all-time");
    }

    @Test
    void theKeyIndexHoldsEachAllTimeAggregateOncePerOrderAsTheQueriesRank() {
        start();
        // Five prompt versions with different volumes and approvals, each voted on several times.
        for (int p = 0; p < 5; p++) {
            for (int v = 0; v <= p * 3; v++) {
                FeedbackEvent vote = FeedbackEvents.base("f" + p + "-" + v, "conv-" + p + "-" + v, "c" + p + "-" + v, "u" + v,
                                T0, T0.plusSeconds(v))
                        .setPromptVersion("prompt-" + p).setThumb(v % (p + 1) == 0 ? FeedbackEvent.Thumb.THUMB_DOWN
                                : FeedbackEvent.Thumb.THUMB_UP).build();
                send(vote);
                flush();
            }
        }
        Map<String, FeedbackAggregate> latest = new TreeMap<>();
        aggregates.readKeyValuesToMap().forEach((key, value) -> {
            if (!key.contains("@")) {
                latest.put(key, value);
            }
        });
        KeyValueStore<String, FeedbackAggregate> index = driver.getKeyValueStore(FeedbackStores.KEY_INDEX_STORE);
        assertEquals(3L * latest.size(), count(FeedbackStores.KEY_INDEX_STORE), "no stale rank entry is left behind");
        assertEquals(List.copyOf(latest.keySet()), keysOf(index, KeyIndex.BY_KEY, 0));
        assertEquals(latest.keySet().stream().sorted(Comparator.comparing((String k) -> -latest.get(k).getApprovalWilsonLower())
                .thenComparing(k -> k)).toList(), keysOf(index, KeyIndex.BY_APPROVAL, KeyIndex.RANK_LENGTH));
        assertEquals(latest.keySet().stream().sorted(Comparator.comparing((String k) -> -KeyIndex.volume(latest.get(k)))
                .thenComparing(k -> k)).toList(), keysOf(index, KeyIndex.BY_VOLUME, KeyIndex.RANK_LENGTH));
        latest.forEach((key, value) -> assertEquals(value, index.get(KeyIndex.BY_KEY + key)));
    }

    @Test
    void stateKeptBeforeTheIndexesExistedIsIndexedAndExpires() {
        start();
        // As an upgrade finds it: a ledger and a bucket aggregate with no index entries.
        KeyValueStore<String, io.flywheel.state.v1.VoteLedgerState> ledgers = driver.getKeyValueStore(FeedbackStores.VOTES_STORE);
        KeyValueStore<String, FeedbackAggregate> stored = driver.getKeyValueStore(FeedbackStores.AGGREGATES_STORE);
        String ledgerKey = VoteResolution.ledgerKey("old", "u1");
        ledgers.put(ledgerKey, io.flywheel.state.v1.VoteLedgerState.newBuilder().setModel(MODEL).setPromptVersion(PROMPT)
                .setCompletionCreatedAtMs(T0.toEpochMilli()).build());
        String bucketKey = allTime().bucket(T0).encode();
        stored.put(bucketKey, FeedbackAggregate.newBuilder().setModel(MODEL).setPromptVersion(PROMPT).setThumbsUp(1).build());
        stored.put(allTime().encode(), FeedbackAggregate.newBuilder().setModel(MODEL).setPromptVersion(PROMPT).setThumbsUp(1).build());
        flush();
        KeyValueStore<String, FeedbackAggregate> index = driver.getKeyValueStore(FeedbackStores.KEY_INDEX_STORE);
        assertNotNull(index.get(KeyIndex.BY_KEY + allTime().encode()), "the walk put the all-time aggregate in the key index");

        Instant later = T0.plus(VOTE_EXPIRY).plus(Duration.ofMinutes(2));
        send(thumb("f1", "c-later", "u2", later, later, true));
        flush();
        send(thumb("f2", "c-later", "u3", later, later.plusSeconds(61), true));
        flush();
        assertNull(ledgers.get(ledgerKey), "the walk scheduled the old ledger's expiry");
        assertNull(stored.get(bucketKey), "and the old bucket's removal");
        assertNotNull(stored.get(allTime().encode()));
    }

    private static List<String> keysOf(KeyValueStore<String, FeedbackAggregate> index, String part, int rankLength) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, FeedbackAggregate> entries = index.range(part, part + KeyIndex.END)) {
            entries.forEachRemaining((KeyValue<String, FeedbackAggregate> entry) -> keys.add(entry.key.substring(part.length() + rankLength)));
        }
        return keys;
    }

    private long count(String store) {
        long count = 0;
        try (KeyValueIterator<String, Object> all = driver.<String, Object>getKeyValueStore(store).all()) {
            for (; all.hasNext(); all.next()) {
                count++;
            }
        }
        return count;
    }

    private static AggregateKey allTime() {
        return AggregateKey.allTime(MODEL.getName(), MODEL.getVersion(), PROMPT);
    }
}
