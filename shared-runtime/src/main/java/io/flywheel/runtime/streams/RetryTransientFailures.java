package io.flywheel.runtime.streams;

import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * The last resort after the decode step has waited out what it could: a registry outage that
 * outlasts that wait replaces the stream thread (it resumes from the last commit, nothing is
 * dead-lettered), with a back-off that doubles on each consecutive replacement up to 30 s, so
 * a long outage costs a few thread replacements, not one a second. A broker that is slow or
 * away long enough to break a transaction (a commit outliving the transaction timeout, a fenced
 * or aborted transaction, a retriable error that ran out of time) is handled the same way: under
 * exactly-once the new thread aborts what was open and resumes from the last commit, so nothing
 * is lost or repeated. Refused registry credentials or TLS, and any other failure, shut the
 * client down so health checks report it.
 */
@ApplicationScoped
public class RetryTransientFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(RetryTransientFailures.class);
    static final long FIRST_BACKOFF_MS = 1_000;
    static final long MAX_BACKOFF_MS = 30_000;
    /** A replacement this long after the previous one starts the back-off again. */
    private static final long CALM_MS = 120_000;

    private long backoffMs = FIRST_BACKOFF_MS;
    private long lastReplacedAtMs = Long.MIN_VALUE / 2;

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (RegistryAccessException.isCauseOf(exception)) {
            LOG.errorf("the schema registry refused this service (credentials or TLS); stopping: %s", exception.getMessage());
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (RegistryUnavailableException.isCauseOf(exception) || RegistryUnavailableException.isRegistryClientOutage(exception)
                || isBrokerTrouble(exception)) {
            long now = System.currentTimeMillis();
            backoffMs = now - lastReplacedAtMs > CALM_MS ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            LOG.warnf("%s, retrying from the last commit in %d ms: %s",
                    isBrokerTrouble(exception) ? "broker unavailable or transaction broken" : "schema registry unavailable",
                    backoffMs, exception.getMessage());
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lastReplacedAtMs = System.currentTimeMillis();
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        LOG.error("stream thread failed; shutting the client down", exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** A Kafka failure that a fresh stream thread (new producer, new transaction) recovers from. */
    static boolean isBrokerTrouble(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof RetriableException || cause instanceof InvalidTxnStateException
                    || cause instanceof TransactionAbortableException || cause instanceof InvalidProducerEpochException
                    || cause instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }
}
