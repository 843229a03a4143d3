package io.flywheel.sampler.topology;

import static io.flywheel.sampler.topology.SamplerEvents.alert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.streams.RegistryRetries;
import io.flywheel.sampler.sampling.DriftAlertBoard;
import io.flywheel.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** A drift alert the registry cannot serve yet waits and is applied once it answers; it is never skipped. */
class DriftAlertIntakeTest {

    private static final long T0 = 1_767_225_600_000L;

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final KeyValueStore<String, DriftAlert> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(SamplerStores.DRIFT_ALERTS_STORE), Serdes.String(),
            ProtobufSerdes.internal(DriftAlert.class)).withLoggingDisabled().build();
    private final FlakyRegistry registry = new FlakyRegistry();
    private final SkippedAlerts unapplied = new SkippedAlerts();
    private final SamplerMetrics metrics = new SamplerMetrics(new SimpleMeterRegistry());

    DriftAlertIntakeTest() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setCurrentSystemTimeMs(T0 + 3_600_000);
    }

    private DriftAlertIntake intake(RegistryRetries retries) {
        DriftAlertIntake intake = new DriftAlertIntake(registry, Duration.ofMinutes(5), unapplied, retries, metrics);
        intake.init(context);
        return intake;
    }

    private void send(DriftAlertIntake intake, long offset, DriftAlert alert) {
        context.setRecordMetadata(Topics.FEEDBACK_ALERTS.name(), 0, offset);
        String key = DriftAlertBoard.keyOf(alert).encode();
        intake.process(new Record<>(key.getBytes(StandardCharsets.UTF_8), alert.toByteArray(), offset));
    }

    private DriftAlert stored(String model) {
        return store.get(DriftAlertBoard.keyOf(alert(model, DriftAlert.State.FIRING, 0)).encode());
    }

    @Test
    void anAlertTheRegistryCannotServeWaitsAndIsAppliedOnceItAnswers() {
        DriftAlertIntake intake = intake(new RegistryRetries("test-alert-retry"));
        send(intake, 0, alert("gpt-a", DriftAlert.State.FIRING, T0));
        registry.down = true;
        send(intake, 1, alert("gpt-a", DriftAlert.State.RECOVERED, T0 + 60_000));
        send(intake, 2, alert("gpt-b", DriftAlert.State.FIRING, T0 + 60_000));

        assertEquals(2, unapplied.pendingCount());
        assertEquals(0, unapplied.count(), "a record waiting for the registry is not skipped");
        assertEquals(DriftAlert.State.FIRING, stored("gpt-a").getState(), "the key keeps its previous state");
        assertEquals(null, stored("gpt-b"));
        assertTrue(intake.retryPending(), "still waiting while the registry is down");

        registry.down = false;
        assertFalse(intake.retryPending());
        assertEquals(0, unapplied.pendingCount());
        assertEquals(0, unapplied.count());
        assertEquals(DriftAlert.State.RECOVERED, stored("gpt-a").getState());
        assertEquals(DriftAlert.State.FIRING, stored("gpt-b").getState());
        assertEquals(List.of("gpt-a", "gpt-a", "gpt-b"), registry.decoded, "read in offset order");
    }

    @Test
    void aLaterRecordOfTheSameKeyReplacesAWaitingOne() {
        DriftAlertIntake intake = intake(new RegistryRetries("test-alert-retry"));
        registry.down = true;
        send(intake, 0, alert("gpt-a", DriftAlert.State.FIRING, T0));
        assertEquals(1, unapplied.pendingCount());
        registry.down = false;
        send(intake, 1, alert("gpt-a", DriftAlert.State.RECOVERED, T0 + 60_000));
        assertEquals(0, unapplied.pendingCount());
        assertFalse(intake.retryPending());
        assertEquals(DriftAlert.State.RECOVERED, stored("gpt-a").getState());
    }

    @Test
    void theLiveInstanceAppliesWhatTheRestoringInstanceLeftPending() {
        RegistryRetries retries = new RegistryRetries("test-alert-retry");
        DriftAlertIntake restorer = intake(retries);
        registry.down = true;
        send(restorer, 0, alert("gpt-a", DriftAlert.State.FIRING, T0));
        DriftAlertIntake live = intake(retries);
        restorer.close();
        assertEquals(1, unapplied.pendingCount());
        registry.down = false;
        assertFalse(live.retryPending());
        assertEquals(DriftAlert.State.FIRING, stored("gpt-a").getState());
    }

    @Test
    void retriesRunOffTheGlobalThreadUntilTheRegistryAnswers() throws Exception {
        DriftAlertIntake intake = intake(new RegistryRetries("test-alert-retry", Duration.ofMillis(20), Duration.ofMillis(80)));
        registry.down = true;
        send(intake, 0, alert("gpt-a", DriftAlert.State.FIRING, T0));
        Eventually.holds(() -> registry.attempts.get() >= 4, Duration.ofSeconds(10));
        assertEquals(1, unapplied.pendingCount());
        registry.down = false;
        Eventually.holds(() -> unapplied.pendingCount() == 0, Duration.ofSeconds(10));
        assertEquals(DriftAlert.State.FIRING, stored("gpt-a").getState());
        assertEquals(0, unapplied.count());
        intake.close();
    }

    @Test
    void garbageIsStillSkippedAndRefusedCredentialsStopTheClient() {
        DriftAlertIntake intake = intake(new RegistryRetries("test-alert-retry"));
        context.setRecordMetadata(Topics.FEEDBACK_ALERTS.name(), 0, 0);
        intake.process(new Record<>("k".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, 0x00}, 0L));
        assertEquals(1, unapplied.count());
        assertEquals(0, unapplied.pendingCount());

        registry.refused = true;
        RegistryAccessException refused = assertThrows(RegistryAccessException.class,
                () -> send(intake, 1, alert("gpt-a", DriftAlert.State.FIRING, T0)));
        assertTrue(refused.getMessage().contains("flywheel.registry.serde"), refused.getMessage());
    }

    /** The registry deserializer as seen during an outage, or failing this service's TLS handshake. */
    private static final class FlakyRegistry implements Deserializer<DriftAlert> {
        private final Deserializer<DriftAlert> plain = ProtobufSerdes.withoutRegistry().valueDeserializer(DriftAlert.class);
        private final AtomicInteger attempts = new AtomicInteger();
        private final List<String> decoded = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile boolean refused;

        @Override
        public DriftAlert deserialize(String topic, byte[] data) {
            attempts.incrementAndGet();
            if (down) {
                throw new IllegalStateException("registry call failed", new ConnectException("Connection refused"));
            }
            if (refused) {
                throw new IllegalStateException("registry call failed", new SSLHandshakeException("PKIX path building failed"));
            }
            DriftAlert alert = plain.deserialize(topic, data);
            decoded.add(alert.getModel().getName());
            return alert;
        }
    }
}
