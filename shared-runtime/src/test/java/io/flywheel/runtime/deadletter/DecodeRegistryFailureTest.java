package io.flywheel.runtime.deadletter;

import io.flywheel.runtime.metrics.RecordFlow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** How the decode step treats what a record cannot be blamed for: registry outages, refused credentials. */
class DecodeRegistryFailureTest {

    private final List<Long> sleeps = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();
    private final MockProcessorContext<String, Decoded<String>> context = new MockProcessorContext<>();

    private DecodeProcessor<String> decoder(Deserializer<String> deserializer) {
        DecodeProcessor<String> decoder = new DecodeProcessor<>("app", deserializer,
                (key, value, now) -> value.equals("boom") ? Optional.of(String.valueOf(1 / (value.length() - 4))) : Optional.empty(),
                new RecordFlow(new SimpleMeterRegistry()), ms -> {
                    sleeps.add(ms);
                    nanos.addAndGet(ms * 1_000_000);
                }, nanos::get);
        decoder.init(context);
        context.setCurrentSystemTimeMs(0);
        context.setRecordMetadata("topic", 0, 7);
        return decoder;
    }

    private static Record<byte[], byte[]> record(String value) {
        return new Record<>("k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0L);
    }

    /** Registry down for the first {@code failures} attempts, then the value decodes. */
    private static Deserializer<String> registryDownFor(int failures, AtomicInteger attempts) {
        return (topic, bytes) -> {
            if (attempts.incrementAndGet() <= failures) {
                throw new IllegalStateException("fetching schema", new ConnectException("Connection refused"));
            }
            return new String(bytes, StandardCharsets.UTF_8);
        };
    }

    @Test
    void aShortOutageIsWaitedOutInsideTheTaskAndNothingIsDeadLettered() {
        AtomicInteger attempts = new AtomicInteger();
        decoder(registryDownFor(3, attempts)).process(record("v"));
        assertEquals(4, attempts.get());
        assertEquals(List.of(100L, 200L, 400L), sleeps);
        assertEquals(1, context.forwarded().size());
        assertInstanceOf(Decoded.Valid.class, context.forwarded().get(0).record().value());
    }

    @Test
    void aLongerOutageIsHandedOnAsRetriableAfterABoundedWait() {
        AtomicInteger attempts = new AtomicInteger();
        DecodeProcessor<String> decoder = decoder(registryDownFor(Integer.MAX_VALUE, attempts));
        RegistryUnavailableException failure = assertThrows(RegistryUnavailableException.class,
                () -> decoder.process(record("v")));
        assertTrue(nanos.get() <= DecodeProcessor.REGISTRY_WAIT.toNanos(), "waited " + nanos.get() + " ns");
        assertTrue(nanos.get() >= DecodeProcessor.REGISTRY_WAIT.toNanos() / 2, "waited " + nanos.get() + " ns");
        assertTrue(failure.getMessage().contains("schema registry unavailable"), failure.getMessage());
        assertTrue(sleeps.stream().allMatch(ms -> ms <= 2_000), "back-off is capped: " + sleeps);
        assertEquals(0, context.forwarded().size(), "nothing is dead-lettered for an outage");
    }

    @Test
    void refusedCredentialsOrTlsStopTheClientInsteadOfFillingTheDeadLetterTopic() {
        DecodeProcessor<String> tls = decoder((topic, bytes) -> {
            throw new IllegalStateException("fetching schema", new SSLHandshakeException("PKIX path building failed"));
        });
        assertThrows(RegistryAccessException.class, () -> tls.process(record("v")));
        DecodeProcessor<String> unauthorized = decoder((topic, bytes) -> {
            throw new HttpFailure(401);
        });
        assertThrows(RegistryAccessException.class, () -> unauthorized.process(record("v")));
        assertEquals(0, context.forwarded().size());
    }

    @Test
    void aValidatorThatThrowsRejectsTheRecord() {
        decoder((topic, bytes) -> new String(bytes, StandardCharsets.UTF_8)).process(record("boom"));
        assertEquals(1, context.forwarded().size());
        assertInstanceOf(Decoded.Rejected.class, context.forwarded().get(0).record().value());
        String message = new String(context.forwarded().get(0).record().headers().lastHeader(DeadLetterHeaders.ERROR_MESSAGE).value(),
                StandardCharsets.UTF_8);
        assertTrue(message.contains("ArithmeticException"), message);
    }

    @Test
    void aDeadLetterIsCutToFitTheProducerLimitAndKeepsTheOriginalLength() {
        decoder((topic, bytes) -> {
            throw new IllegalArgumentException("not a message");
        }).process(new Record<>("k".getBytes(StandardCharsets.UTF_8), new byte[2 * 1024 * 1024], 0L));
        var dead = context.forwarded().get(0).record();
        Decoded.Rejected<?> rejected = (Decoded.Rejected<?>) dead.value();
        assertTrue(rejected.value().length < 1_000_000, "cut to " + rejected.value().length);
        assertEquals(Integer.toString(2 * 1024 * 1024),
                new String(dead.headers().lastHeader(DeadLetterHeaders.VALUE_BYTES).value(), StandardCharsets.UTF_8));
    }

    /** An HTTP error as a registry client reports it: found by its status accessor. */
    public static final class HttpFailure extends RuntimeException {
        private final int status;

        HttpFailure(int status) {
            super("HTTP " + status);
            this.status = status;
        }

        public int getStatus() {
            return status;
        }
    }
}
