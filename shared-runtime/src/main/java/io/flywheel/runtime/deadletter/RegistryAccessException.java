package io.flywheel.runtime.deadletter;

import javax.net.ssl.SSLException;

/**
 * The registry refused this service (HTTP 401/403) or its TLS handshake failed: not a bad record
 * and not an outage that passes, so nothing is dead-lettered and the client stops with this
 * message until its credentials or trust settings ({@code flywheel.registry.serde.*}) are fixed.
 */
public class RegistryAccessException extends RuntimeException {

    public RegistryAccessException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the cause chain shows refused credentials or a failed TLS handshake. */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RegistryAccessException || t instanceof SSLException) {
                return true;
            }
            Integer status = RegistryUnavailableException.httpStatus(t);
            if (status != null && (status == 401 || status == 403)) {
                return true;
            }
        }
        return false;
    }
}
