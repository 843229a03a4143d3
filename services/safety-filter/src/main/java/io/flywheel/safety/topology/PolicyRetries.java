package io.flywheel.safety.topology;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Retries the policy records that wait for the schema registry, off the global thread: the global
 * processor cannot schedule punctuators, and blocking it would hold back every later policy record
 * (and, during restore, the start of every stream thread).
 *
 * <p>One per topology. Kafka Streams restores the global store through one processor instance and
 * then runs another, so the retries go to whichever instance attached last. A single daemon thread
 * runs them; it exists only while something waits (no thread per attempt, no thread when idle).
 * The wait between attempts doubles from {@code first} up to {@code max} and starts again at
 * {@code first} once nothing waits.
 */
final class PolicyRetries {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final long firstMs;
    private final long maxMs;
    private final ScheduledThreadPoolExecutor timer;
    private PolicyCatalogUpdater owner;
    private ScheduledFuture<?> next;
    private long backoffMs;

    PolicyRetries() {
        this(FIRST_BACKOFF, MAX_BACKOFF);
    }

    PolicyRetries(Duration first, Duration max) {
        this.firstMs = first.toMillis();
        this.maxMs = max.toMillis();
        this.backoffMs = firstMs;
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "safety-policy-retry");
            thread.setDaemon(true);
            return thread;
        });
        timer.setKeepAliveTime(30, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    synchronized void attach(PolicyCatalogUpdater updater) {
        owner = updater;
    }

    synchronized void detach(PolicyCatalogUpdater updater) {
        if (owner == updater) {
            owner = null;
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        }
    }

    /** Asks for an attempt after the current back-off, unless one is already due. */
    synchronized void retryLater() {
        if (next == null) {
            next = timer.schedule(this::attempt, backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        PolicyCatalogUpdater updater;
        synchronized (this) {
            next = null;
            updater = owner;
        }
        if (updater == null) {
            return;
        }
        boolean stillWaiting = updater.retryPending();
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
