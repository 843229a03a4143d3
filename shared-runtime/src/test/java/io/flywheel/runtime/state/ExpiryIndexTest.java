package io.flywheel.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The expiry index on a real in-memory store: due order, bounded batches, catch-up, and entries scheduled behind a scan. */
class ExpiryIndexTest {

    private KeyValueStore<String, byte[]> store;
    private ExpiryIndex index;
    private final List<String> expired = new ArrayList<>();

    @BeforeEach
    void open() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("expiry"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        index = new ExpiryIndex(store);
    }

    @Test
    void expiresWhatIsDueOldestFirstAndNothingLater() {
        index.schedule("b", 20);
        index.schedule("a", 10);
        index.schedule("c", 30);
        assertEquals(2, index.sweep(20, expired::add));
        assertEquals(List.of("a", "b"), expired);
        assertEquals(1, count());
        assertFalse(index.behind());
    }

    @Test
    void aFullBatchLeavesTheRestToCatchUpOnTheFollowingRecords() {
        int due = ExpiryIndex.SWEEP_BATCH + 3 * ExpiryIndex.CATCH_UP_BATCH + 1;
        for (int i = 0; i < due; i++) {
            index.schedule("k" + i, i);
        }
        assertEquals(ExpiryIndex.SWEEP_BATCH, index.sweep(due, expired::add));
        assertTrue(index.behind());
        int records = 0;
        while (index.behind()) {
            index.catchUp(due, expired::add);
            records++;
        }
        assertEquals(4, records);
        assertEquals(due, expired.size());
        assertEquals(0, count());
        assertEquals(0, index.catchUp(due, expired::add), "nothing to catch up once the due range is empty");
    }

    @Test
    void anEntryScheduledBehindTheLastScanIsStillFound() {
        index.schedule("late", 100);
        index.sweep(100, expired::add);
        // Older than what the last scan removed: the next scan must start before it again.
        index.schedule("older", 50);
        index.schedule("from-an-expiry", 40);
        index.sweep(100, key -> {
            expired.add(key);
            if (key.equals("from-an-expiry")) {
                index.schedule("scheduled-while-expiring", 45);
            }
        });
        index.sweep(100, expired::add);
        assertEquals(List.of("late", "from-an-expiry", "older", "scheduled-while-expiring"), expired);
        assertEquals(0, count());
    }

    private long count() {
        long count = 0;
        try (var all = store.all()) {
            for (; all.hasNext(); all.next()) {
                count++;
            }
        }
        return count;
    }
}
