package io.flywheel.testkit;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a service's queries to answer: during start-up or a takeover they fail UNAVAILABLE with a retry hint. */
public final class QueryReadiness {

    private static final Metadata.Key<String> RETRY_AFTER_MS = Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

    private QueryReadiness() {
    }

    /** Calls {@code query} until it answers (see {@link #answer}). */
    public static void await(Runnable query, Duration timeout) {
        answer(() -> {
            query.run();
            return null;
        }, timeout);
    }

    /**
     * Calls {@code query} until it answers and returns the answer. Any status other than
     * UNAVAILABLE is rethrown, and so is an UNAVAILABLE without the retry hint the services
     * promise (the {@code retry-after-ms} trailer and "retry after" in the message).
     */
    public static <T> T answer(Supplier<T> query, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return query.get();
            } catch (StatusRuntimeException e) {
                requireRetryHint(e);
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Rethrows {@code e} unless it is UNAVAILABLE with a retry hint. */
    public static void requireRetryHint(StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            throw e;
        }
        String description = String.valueOf(e.getStatus().getDescription());
        String retryAfterMs = e.getTrailers() == null ? null : e.getTrailers().get(RETRY_AFTER_MS);
        if (!description.contains("retry after") || retryAfterMs == null) {
            throw new AssertionError("UNAVAILABLE without a retry hint: " + description + " (retry-after-ms: " + retryAfterMs + ")", e);
        }
    }
}
