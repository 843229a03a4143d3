package io.flywheel.feedback.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.FeedbackAggregate;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a watcher of one key receives from the committed values the feed reads. */
class CommittedAggregatesTest {

    private final CommittedAggregates committed = new CommittedAggregates();

    private static FeedbackAggregate up(long thumbsUp) {
        return FeedbackAggregate.newBuilder().setThumbsUp(thumbsUp).build();
    }

    private AssertSubscriber<CommittedAggregates.Change> watch(String key) {
        return committed.watch(key).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }

    /** A read of the feed that ends with no lag. */
    private void readToTheEnd() {
        committed.caughtUp(committed.startRead());
    }

    private static List<String> seen(AssertSubscriber<CommittedAggregates.Change> watcher) {
        return watcher.getItems().stream()
                .map(change -> change.aggregate().getThumbsUp() + (change.snapshot() ? " snapshot" : "")).toList();
    }

    /** After an error the feed reads the topic again: older versions must not reach a watcher, nor repeats. */
    @Test
    void aReReadNeverSendsAWatcherBackwardsOrRepeatsAVersion() {
        committed.apply("m/v/p", 5, up(5));
        AssertSubscriber<CommittedAggregates.Change> watcher = watch("m/v/p");
        readToTheEnd();
        assertTrue(committed.apply("m/v/p", 7, up(7)));

        assertFalse(committed.apply("m/v/p", 3, up(3)), "an older version, read again from the beginning");
        assertFalse(committed.apply("m/v/p", 5, up(5)));
        assertFalse(committed.apply("m/v/p", 7, up(7)), "the version already delivered");
        assertTrue(committed.apply("m/v/p", 9, up(9)));

        assertEquals(List.of("5 snapshot", "7", "9"), seen(watcher));
    }

    @Test
    void aWatchOpenedBeforeTheFirstValueGetsItAsTheSnapshot() {
        AssertSubscriber<CommittedAggregates.Change> watcher = watch("m/v/p");
        readToTheEnd();
        committed.apply("other", 1, up(1));
        committed.apply("m/v/p", 4, up(2));
        committed.apply("m/v/p", 6, up(3));

        assertEquals(List.of("2 snapshot", "3"), seen(watcher));
    }

    @Test
    void aKeyNobodyWatchesAnyMoreIsForgottenByTheWatcherMap() {
        AssertSubscriber<CommittedAggregates.Change> first = watch("a");
        AssertSubscriber<CommittedAggregates.Change> second = watch("a");
        watch("b").cancel();
        assertEquals(1, committed.watchedKeys());

        first.cancel();
        assertEquals(1, committed.watchedKeys(), "a is still watched");
        second.cancel();
        assertEquals(0, committed.watchedKeys());
        committed.apply("a", 1, up(1));
        assertEquals(0, committed.watchedKeys(), "a change of an unwatched key adds no watcher entry");
    }

    /** A feed that lags (just started, or a slow read) must not hand a reconnecting client an older snapshot. */
    @Test
    void aNewWatchGetsItsSnapshotOnlyAfterTheFeedHasReadToTheEnd() {
        committed.apply("m/v/p", 3, up(3));
        long readInProgress = committed.startRead();
        AssertSubscriber<CommittedAggregates.Change> watcher = watch("m/v/p");
        committed.caughtUp(readInProgress);
        assertEquals(List.of(), seen(watcher), "a read that began before the watch does not count");

        long read = committed.startRead();
        committed.apply("m/v/p", 8, up(8));
        assertEquals(List.of(), seen(watcher), "nothing before the feed is at the end");
        committed.caughtUp(read);
        committed.apply("m/v/p", 9, up(9));

        assertEquals(List.of("8 snapshot", "9"), seen(watcher));
    }

    @Test
    void aWatchTheFeedCannotServeInTimeIsToldToRetry() throws InterruptedException {
        AssertSubscriber<CommittedAggregates.Change> watcher = watch("m/v/p");
        committed.failWaiting(Duration.ofHours(1));
        assertEquals(null, watcher.getFailure(), "still within its patience");
        Thread.sleep(5);
        committed.failWaiting(Duration.ofMillis(1));

        StatusRuntimeException failure = (StatusRuntimeException) watcher.getFailure();
        assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode());
        assertTrue(failure.getTrailers() != null && failure.getTrailers().keys().contains("retry-after-ms"), "a retry hint");
        readToTheEnd();
        committed.apply("m/v/p", 1, up(1));
        assertEquals(List.of(), seen(watcher));
    }
}
