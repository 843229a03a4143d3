package io.flywheel.runtime.streams;

import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A registry outage replaces the stream thread (it resumes from the last commit, nothing is
 * dead-lettered); any other failure shuts the client down so health checks report it.
 */
@ApplicationScoped
public class RetryTransientFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(RetryTransientFailures.class);
    private static final long BACKOFF_MS = 1_000;

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        if (RegistryUnavailableException.isCauseOf(exception)) {
            LOG.warnf("schema registry unavailable, retrying from the last commit in %d ms: %s", BACKOFF_MS, exception.getMessage());
            try {
                Thread.sleep(BACKOFF_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        LOG.error("stream thread failed; shutting the client down", exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
