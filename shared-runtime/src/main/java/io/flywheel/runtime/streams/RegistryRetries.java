package io.flywheel.runtime.streams;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Retries the records a global store processor keeps pending because the schema registry could
 * not be reached, off the global thread: a global processor cannot schedule punctuators, and
 * blocking it would hold back every later record of its topic (and, during restore, the start of
 * every stream thread).
 *
 * <p>One per global store. Kafka Streams restores a global store through one processor instance
 * and then runs another, so the retries go to whichever instance attached last. A single daemon
 * thread runs them; it exists only while something waits (no thread per attempt, no thread when
 * idle). The wait between attempts doubles from {@code first} up to {@code max} and starts again
 * at {@code first} once nothing waits.
 */
public final class RegistryRetries {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** The processor whose pending records are retried. */
    public interface Pending {

        /**
         * One attempt at every pending record, in the order they were read.
         *
         * @return true while some record still waits
         */
        boolean retryPending();
    }

    private final long firstMs;
    private final long maxMs;
    private final ScheduledThreadPoolExecutor timer;
    private Pending owner;
    private ScheduledFuture<?> next;
    private long backoffMs;

    /** @param threadName names the retry thread in thread dumps and logs */
    public RegistryRetries(String threadName) {
        this(threadName, FIRST_BACKOFF, MAX_BACKOFF);
    }

    public RegistryRetries(String threadName, Duration first, Duration max) {
        this.firstMs = first.toMillis();
        this.maxMs = max.toMillis();
        this.backoffMs = firstMs;
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.setKeepAliveTime(30, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    public synchronized void attach(Pending processor) {
        owner = processor;
    }

    public synchronized void detach(Pending processor) {
        if (owner == processor) {
            owner = null;
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        }
    }

    /** Asks for an attempt after the current back-off, unless one is already due. */
    public synchronized void retryLater() {
        if (next == null) {
            next = timer.schedule(this::attempt, backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        Pending processor;
        synchronized (this) {
            next = null;
            processor = owner;
        }
        if (processor == null) {
            return;
        }
        boolean stillWaiting = processor.retryPending();
        synchronized (this) {
            if (stillWaiting) {
                backoffMs = Math.min(maxMs, backoffMs * 2);
                retryLater();
            } else {
                backoffMs = firstMs;
            }
        }
    }
}
