package io.flywheel.runtime.deadletter;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The schema registry could not be reached while decoding: transient, so the record is retried,
 * never dead-lettered. The decode step first waits inside the task (bounded, see
 * {@code DecodeProcessor}); only a longer outage reaches the uncaught-exception handler.
 */
public class RegistryUnavailableException extends RetriableException {

    /** The registry client's HTTP stack (Vert.x) reports a registry that went away mid-request this way. */
    private static final String CONNECTION_CLOSED = "io.vertx.core.http.HttpClosedException";

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when a decoding failure was caused by the registry being unreachable or failing. */
    public static boolean isTransient(Throwable failure) {
        if (RegistryAccessException.isCauseOf(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof HttpTimeoutException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof InterruptedIOException
                    || t instanceof TimeoutException || t instanceof SocketException
                    || CONNECTION_CLOSED.equals(t.getClass().getName())) {
                return true;
            }
            Integer status = httpStatus(t);
            if (status != null && (status >= 500 || status == 429)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the registry client itself failed to reach the registry: a transient failure thrown
     * through the registry client's code. An output's serializer meets an outage this way (a schema
     * id it has not cached yet), without a {@code RegistryUnavailableException} around it.
     */
    public static boolean isRegistryClientOutage(Throwable failure) {
        if (!isTransient(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith("io.apicurio.registry.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The HTTP status of a registry client error, found by name so no client type is bound here. */
    static Integer httpStatus(Throwable t) {
        for (String accessor : new String[] {"getStatus", "getResponseStatusCode"}) {
            try {
                Object status = t.getClass().getMethod(accessor).invoke(t);
                if (status instanceof Number number) {
                    return number.intValue();
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // not an HTTP error
            }
        }
        return null;
    }

    /** True when anything in the cause chain is this exception. */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }
}
