package io.flywheel.runtime.deadletter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/** What counts as the registry being away (retry) and what as a bad record (dead letter). */
class RegistryUnavailableExceptionTest {

    /** A registry client error as the serdes throw it: only its HTTP status is known, by accessor name. */
    static final class RegistryHttpError extends RuntimeException {
        private final int status;

        RegistryHttpError(int status) {
            super("HTTP " + status);
            this.status = status;
        }

        public int getStatus() {
            return status;
        }
    }

    @Test
    void networkFailuresAnywhereInTheChainAreTransient() {
        assertTrue(RegistryUnavailableException.isTransient(new SerializationException("x", new ConnectException("refused"))));
        assertTrue(RegistryUnavailableException.isTransient(new UncheckedIOException(new SocketTimeoutException("slow"))));
    }

    @Test
    void serverErrorsAndThrottlingAreTransientClientErrorsAreNot() {
        assertTrue(RegistryUnavailableException.isTransient(new SerializationException("x", new RegistryHttpError(503))));
        assertTrue(RegistryUnavailableException.isTransient(new RegistryHttpError(500)));
        assertTrue(RegistryUnavailableException.isTransient(new RegistryHttpError(429)));
        assertFalse(RegistryUnavailableException.isTransient(new RegistryHttpError(404)), "an unknown schema id is the record's fault");
    }

    @Test
    void aRegistryThatClosesTheConnectionMidRequestIsTransient() {
        assertTrue(RegistryUnavailableException.isTransient(new RuntimeException(new io.vertx.core.http.HttpClosedException("Connection was closed"))));
    }

    @Test
    void badBytesAreNotTransient() {
        assertFalse(RegistryUnavailableException.isTransient(new SerializationException("invalid Protobuf bytes")));
        assertFalse(RegistryUnavailableException.isTransient(new IllegalArgumentException("x", new IllegalStateException())));
    }

    @Test
    void isFoundAsACauseHoweverDeepStreamsWrapsIt() {
        RegistryUnavailableException away = new RegistryUnavailableException("away", new ConnectException());
        assertTrue(RegistryUnavailableException.isCauseOf(new StreamsException(new StreamsException(away))));
        assertFalse(RegistryUnavailableException.isCauseOf(new StreamsException(new ConnectException())));
    }
}
