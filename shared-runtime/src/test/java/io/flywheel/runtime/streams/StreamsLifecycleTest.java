package io.flywheel.runtime.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class StreamsLifecycleTest {

    private final StreamsLifecycle lifecycle = new StreamsLifecycle();

    @Test
    void queryableOnlyWhileRunningAndRemembersHavingRun() {
        assertFalse(lifecycle.isQueryable());
        lifecycle.onChange(State.REBALANCING, State.CREATED);
        assertFalse(lifecycle.isQueryable());
        assertFalse(lifecycle.hasReachedRunning());
        lifecycle.onChange(State.RUNNING, State.REBALANCING);
        assertTrue(lifecycle.isQueryable());
        lifecycle.onChange(State.REBALANCING, State.RUNNING);
        assertFalse(lifecycle.isQueryable(), "a rebalance makes answers unavailable");
        assertTrue(lifecycle.hasReachedRunning());
    }

    @Test
    void failedInErrorAndOnTheWayThere() {
        lifecycle.onChange(State.PENDING_ERROR, State.RUNNING);
        assertTrue(lifecycle.isFailed());
        lifecycle.onChange(State.ERROR, State.PENDING_ERROR);
        assertTrue(lifecycle.isFailed());
        lifecycle.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        assertFalse(lifecycle.isFailed(), "a clean shutdown is no failure");
    }

    @Test
    void runsWhatWaitsForRunningOnceWhenItIsFirstReachedAndAtOnceAfter() {
        java.util.List<String> ran = new java.util.ArrayList<>();
        lifecycle.whenRunning(() -> ran.add("early"));
        lifecycle.onChange(State.REBALANCING, State.CREATED);
        assertTrue(ran.isEmpty());
        lifecycle.onChange(State.RUNNING, State.REBALANCING);
        lifecycle.onChange(State.REBALANCING, State.RUNNING);
        lifecycle.onChange(State.RUNNING, State.REBALANCING);
        lifecycle.whenRunning(() -> ran.add("late"));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("early", "late"), ran);
    }
}
