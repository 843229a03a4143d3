package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QueryLoadTest {

    @Test
    void openLoopSendsEveryScheduledCallAndCountsFailures() throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        QueryLoad.Latency latency = QueryLoad.<String>openLoop(observer -> {
            if (calls.incrementAndGet() % 10 == 0) {
                observer.onError(new IllegalStateException("refused"));
            } else {
                observer.onNext("answer");
                observer.onCompleted();
            }
        }, new Schedule(1_000), Duration.ofMillis(200), Duration.ofSeconds(1));
        assertEquals(200, calls.get());
        assertEquals(20, latency.failures());
        assertEquals(180, latency.latencies().count());
        assertEquals(1_000, latency.perSecond(), 1e-9);
    }

    @Test
    void openLoopCountsUnansweredCallsAsFailures() throws InterruptedException {
        QueryLoad.Latency latency = QueryLoad.<String>openLoop(observer -> { }, new Schedule(100), Duration.ofMillis(50), Duration.ZERO);
        assertEquals(5, latency.failures());
        assertEquals(0, latency.latencies().count());
    }

    @Test
    void closedLoopCountsAnswersAndFailuresSeparately() throws InterruptedException {
        AtomicLong calls = new AtomicLong();
        QueryLoad.Throughput throughput = QueryLoad.closedLoop(() -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("refused");
            }
        }, 2, Duration.ZERO, Duration.ofSeconds(1));
        assertTrue(throughput.perSecond() > 0, "some calls answered: " + throughput);
        assertTrue(throughput.failures() > 0, "some calls failed: " + throughput);
    }
}
