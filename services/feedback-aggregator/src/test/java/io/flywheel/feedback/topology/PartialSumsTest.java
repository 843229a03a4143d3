package io.flywheel.feedback.topology;

import static io.flywheel.feedback.topology.FeedbackEvents.MODEL;
import static io.flywheel.feedback.topology.FeedbackEvents.PROMPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.feedback.tally.FeedbackTally;
import io.flywheel.model.AggregateKey;
import io.flywheel.model.ProtobufSerdes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** Partial sums: all-time derived from the bucket and late sums, kept in the store until flushed, the earlier layout passed on. */
class PartialSumsTest {

    private static final AggregatorSettings SETTINGS = AggregatorSettings.defaults();
    private static final long HOUR = 3_600_000L;
    private static final long B1 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
    private static final long B2 = B1 + HOUR;
    private static final AggregateKey KEY = AggregateKey.allTime(MODEL.getName(), MODEL.getVersion(), PROMPT);

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final KeyValueStore<String, FeedbackAggregate> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(FeedbackStores.PARTIALS_STORE), Serdes.String(),
            ProtobufSerdes.internal(FeedbackAggregate.class)).withLoggingDisabled().build();

    PartialSumsTest() {
        store.init(context.getStateStoreContext(), store);
    }

    private static FeedbackAggregate thumbs(long up, long down) {
        return FeedbackTally.zeroDelta().setThumbsUp(up).setThumbsDown(down).build();
    }

    private static List<KeyValue<String, FeedbackAggregate>> flush(PartialSums sums) {
        List<KeyValue<String, FeedbackAggregate>> forwarded = new ArrayList<>();
        sums.flush((key, partial) -> forwarded.add(KeyValue.pair(key, partial)));
        return forwarded;
    }

    private long storeSize() {
        long size = 0;
        try (KeyValueIterator<String, FeedbackAggregate> all = store.all()) {
            for (; all.hasNext(); all.next()) {
                size++;
            }
        }
        return size;
    }

    @Test
    void allTimeIsTheSumOfTheBucketsAndTheLateDeltasAndEachBucketGoesOnItsOwn() {
        PartialSums sums = new PartialSums(store, SETTINGS);
        sums.addToBucket(MODEL, PROMPT, B2, thumbs(1, 0));
        sums.addToBucket(MODEL, PROMPT, B1, thumbs(1, 0));
        sums.addToBucket(MODEL, PROMPT, B1, thumbs(-1, 1));
        sums.addLate(MODEL, PROMPT, thumbs(0, 1));

        List<KeyValue<String, FeedbackAggregate>> forwarded = flush(sums);

        assertEquals(List.of(KEY.encode(), KEY.encode(), KEY.encode()), forwarded.stream().map(kv -> kv.key).toList(),
                "every partial is keyed by its model key");
        FeedbackAggregate allTime = forwarded.get(0).value;
        assertFalse(allTime.hasBucket());
        assertEquals(1, allTime.getThumbsUp());
        assertEquals(2, allTime.getThumbsDown());
        assertEquals(1, allTime.getTooLate());
        assertEquals(List.of(B1, B2), forwarded.subList(1, 3).stream()
                .map(kv -> kv.value.getBucket().getStart().getSeconds() * 1000).toList(), "buckets follow, oldest first");
        assertEquals(thumbs(0, 1).getThumbsDown(), forwarded.get(1).value.getThumbsDown());
        assertEquals(0, forwarded.get(1).value.getTooLate());
        assertEquals(0, storeSize(), "a flush empties the store");
        assertEquals(List.of(), flush(sums), "and starts over");
    }

    @Test
    void sumsNotFlushedYetAreInTheStoreAndAResumedInstanceForwardsTheSame() {
        PartialSums before = new PartialSums(store, SETTINGS);
        before.addToBucket(MODEL, PROMPT, B1, thumbs(2, 0));
        before.addLate(MODEL, PROMPT, thumbs(0, 1));
        assertEquals(2, storeSize(), "one entry per (model key, bucket) and one for the late deltas");

        PartialSums resumed = new PartialSums(store, SETTINGS);
        resumed.addToBucket(MODEL, PROMPT, B1, thumbs(1, 0));
        List<KeyValue<String, FeedbackAggregate>> forwarded = flush(resumed);

        assertEquals(2, forwarded.size());
        assertEquals(3, forwarded.get(0).value.getThumbsUp());
        assertEquals(1, forwarded.get(0).value.getThumbsDown());
        assertEquals(1, forwarded.get(0).value.getTooLate());
        assertEquals(3, forwarded.get(1).value.getThumbsUp());
        assertEquals(0, forwarded.get(1).value.getThumbsDown());
    }

    @Test
    void entriesOfTheEarlierLayoutAreForwardedAsTheyAreAndNotAddedAgain() {
        // The earlier layout: an all-time partial holding its bucket's counts, and the bucket partial.
        FeedbackAggregate earlierAllTime = FeedbackTally.zero(MODEL, PROMPT, null).setThumbsUp(2).build();
        FeedbackAggregate earlierBucket = FeedbackTally.zero(MODEL, PROMPT, SETTINGS.buckets().bucket(B1)).setThumbsUp(2).build();
        store.put(KEY.encode(), earlierAllTime);
        store.put(KEY.bucket(Instant.ofEpochMilli(B1)).encode(), earlierBucket);

        PartialSums sums = new PartialSums(store, SETTINGS);
        sums.addToBucket(MODEL, PROMPT, B1, thumbs(1, 0));
        List<KeyValue<String, FeedbackAggregate>> forwarded = flush(sums);

        assertEquals(List.of(earlierAllTime, earlierBucket), forwarded.subList(0, 2).stream().map(kv -> kv.value).toList());
        assertEquals(List.of(1L, 1L), forwarded.subList(2, 4).stream().map(kv -> kv.value.getThumbsUp()).toList(),
                "the new sums hold only what came after");
        assertEquals(0, storeSize());
    }
}
