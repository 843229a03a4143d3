package io.flywheel.runtime.query;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** The gRPC errors every query service returns, with messages that say what is wrong. */
public final class QueryErrors {

    /** Trailer naming how long to wait before retrying an UNAVAILABLE answer. */
    public static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

    private QueryErrors() {
    }

    public static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException unauthenticated(String message) {
        return Status.UNAUTHENTICATED.withDescription(message).asRuntimeException();
    }

    /** Start-up, rebalance or an unreachable owner: the caller should retry after the hint. */
    public static StatusRuntimeException unavailable(String message, Duration retryAfter) {
        Metadata trailers = new Metadata();
        trailers.put(RETRY_AFTER_MS, Long.toString(retryAfter.toMillis()));
        return Status.UNAVAILABLE.withDescription(message + " (retry after " + retryAfter.toMillis() + " ms)")
                .asRuntimeException(trailers);
    }

    /** Checks a required text argument: present, not blank, bounded. */
    public static String requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw invalidArgument(field + " is required and must not be blank");
        }
        if (value.length() > maxLength) {
            throw invalidArgument(field + " is " + value.length() + " characters long; at most " + maxLength + " allowed");
        }
        return value;
    }

    /** Checks an integer argument lies in [min, max]. */
    public static int requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalidArgument(field + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
