package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.ModelRef;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftAlertContractTest {

    private static final long NOW_MS = 1_700_000_000_000L;
    private static final Duration SKEW = Duration.ofMinutes(5);

    private static DriftAlert.Builder alert() {
        return DriftAlert.newBuilder().setModel(ModelRef.newBuilder().setName("gpt-4o").setVersion("v1")).setPromptVersion("p1")
                .setState(DriftAlert.State.FIRING).setEmittedAt(Timestamps.fromMillis(NOW_MS));
    }

    private static Optional<String> violation(DriftAlert.Builder alert) {
        return DriftAlertContract.violation(alert.build(), NOW_MS, SKEW);
    }

    @Test
    void aValidAlertKeepsTheContractAndBrokenFieldsAreNamed() {
        assertEquals(Optional.empty(), violation(alert()));
        assertTrue(violation(alert().clearModel()).orElseThrow().startsWith("model.name"));
        assertTrue(violation(alert().setStateValue(9)).orElseThrow().startsWith("state"));
        assertTrue(violation(alert().setState(DriftAlert.State.STATE_UNSPECIFIED)).orElseThrow().startsWith("state"));
        assertTrue(violation(alert().setEmittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))).orElseThrow()
                .startsWith("emitted_at"));
    }

    @Test
    void emittedAtKeepsTheEventTimeRule() {
        assertEquals(Optional.empty(), violation(alert().setEmittedAt(Timestamps.fromMillis(NOW_MS + SKEW.toMillis()))));
        assertTrue(violation(alert().setEmittedAt(Timestamps.fromMillis(NOW_MS + SKEW.toMillis() + 1))).orElseThrow()
                .startsWith("emitted_at 2023-11-14T22:18:20.001Z is more than PT5M ahead"));
        assertTrue(violation(alert().setEmittedAt(Timestamp.newBuilder().setSeconds(253_402_300_800L))).orElseThrow()
                .startsWith("emitted_at (seconds=253402300800"));
        assertTrue(violation(alert().setEmittedAt(Timestamp.newBuilder().setSeconds(-1))).orElseThrow()
                .startsWith("emitted_at 1969-12-31T23:59:59Z is before 1970"));
    }

    @Test
    void aTombstoneNeedsAModelKey() {
        assertEquals(Optional.empty(), DriftAlertContract.tombstoneViolation(AggregateKey.allTime("gpt-4o", "v1", "p1").encode()));
        assertTrue(DriftAlertContract.tombstoneViolation("no-slashes").orElseThrow().startsWith("key 'no-slashes'"));
        assertTrue(DriftAlertContract.tombstoneViolation("a/b/c@not-an-instant").isPresent());
    }
}
