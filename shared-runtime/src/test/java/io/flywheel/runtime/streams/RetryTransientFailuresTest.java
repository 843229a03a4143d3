package io.flywheel.runtime.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import java.net.ConnectException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class RetryTransientFailuresTest {

    private final RetryTransientFailures handler = new RetryTransientFailures();

    @Test
    void aRegistryOutageReplacesTheThread() {
        StreamsException failure = new StreamsException("task failed",
                new RegistryUnavailableException("registry away", new ConnectException("refused")));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, handler.handle(failure));
    }

    @Test
    void anOutputSerializerThatCannotReachTheRegistryReplacesTheThread() {
        // As seen in the registry-outage run: the serializer's cache load fails inside the registry client.
        RuntimeException cacheLoad = new RuntimeException(new java.util.concurrent.ExecutionException(new ConnectException("refused")));
        cacheLoad.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.apicurio.registry.resolver.cache.ERCache", "getValue", "ERCache.java", 1)});
        StreamsException failure = new StreamsException("Exception caught in process",
                new StreamsException("Unable to serialize record", cacheLoad));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, handler.handle(failure));
    }

    @Test
    void aBrokenTransactionOrAnUnreachableBrokerReplacesTheThread() {
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, handler.handle(new StreamsException("commit failed",
                new org.apache.kafka.common.errors.InvalidTxnStateException("transaction timed out"))));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, handler.handle(new StreamsException("send failed",
                new org.apache.kafka.common.errors.TimeoutException("commitTransaction timed out"))));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, handler.handle(new StreamsException("abortable",
                new org.apache.kafka.common.errors.TransactionAbortableException("broker said abort"))));
    }

    @Test
    void anyOtherFailureShutsTheClientDown() {
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, handler.handle(new StreamsException("bug", new NullPointerException())));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                handler.handle(new StreamsException(new ConnectException("a broker, not the registry"))));
    }
}
