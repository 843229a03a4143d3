package io.flywheel.verification.bench.mesh;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The two ways to load a query endpoint: closed loop (N callers, each asking again as soon as
 * it is answered: the maximum throughput) and open loop (calls sent on a fixed schedule whatever
 * the answers do: the latency a client sees at a given rate, timed from each call's due time).
 */
final class QueryLoad {

    /** A blocking call; it throws when the call fails. */
    interface BlockingCall {
        void call();
    }

    /** An asynchronous call that reports to the observer. */
    interface AsyncCall<T> {
        void call(StreamObserver<T> observer);
    }

    /** What a closed-loop run did: answered calls per second and failed calls. */
    record Throughput(double perSecond, long failures) {
    }

    /** What an open-loop run did: latency from due time, and failed calls. */
    record Latency(Latencies latencies, long failures, double perSecond) {
    }

    private QueryLoad() {
    }

    /** {@code callers} threads call in a loop; calls that end within the measured window (after the warm-up) count. */
    static Throughput closedLoop(BlockingCall call, int callers, Duration warmUp, Duration window) throws InterruptedException {
        // [measure from, measure to], set once every caller runs: the latch publishes them to the callers.
        long[] bounds = new long[2];
        CountDownLatch started = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread thread = new Thread(() -> {
                started.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < bounds[1]) {
                    boolean ok;
                    try {
                        call.call();
                        ok = true;
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    long end = System.nanoTime();
                    if (end >= bounds[0] && end < bounds[1]) {
                        (ok ? answered : failed).incrementAndGet();
                    }
                }
            }, "bench-caller-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        started.await();
        bounds[0] = System.nanoTime() + warmUp.toNanos();
        bounds[1] = bounds[0] + window.toNanos();
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        return new Throughput(answered.get() / (window.toNanos() / 1e9), failed.get());
    }

    /** Calls on the schedule for {@code window}, then waits up to {@code drain} for the last answers. */
    static <T> Latency openLoop(AsyncCall<T> call, Schedule schedule, Duration window, Duration drain) throws InterruptedException {
        Latencies latencies = new Latencies();
        AtomicLong failed = new AtomicLong();
        AtomicLong pending = new AtomicLong();
        long sends = schedule.sendsWithin(window);
        long start = System.nanoTime();
        for (long i = 0; i < sends; i++) {
            long due = start + schedule.dueNanos(i);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            pending.incrementAndGet();
            call.call(QueryLoad.<T>observer(ok -> {
                if (ok) {
                    latencies.recordNanos(System.nanoTime() - due);
                } else {
                    failed.incrementAndGet();
                }
                pending.decrementAndGet();
            }));
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        failed.addAndGet(pending.get());
        return new Latency(latencies, failed.get(), schedule.perSecond());
    }

    private static <T> StreamObserver<T> observer(Consumer<Boolean> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                // the answer itself does not matter, only when it came
            }

            @Override
            public void onError(Throwable t) {
                done.accept(false);
            }

            @Override
            public void onCompleted() {
                done.accept(true);
            }
        };
    }
}
