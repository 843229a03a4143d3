package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.ModelRef;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftAlertContractTest {

    private static DriftAlert.Builder alert() {
        return DriftAlert.newBuilder().setModel(ModelRef.newBuilder().setName("gpt-4o").setVersion("v1")).setPromptVersion("p1")
                .setState(DriftAlert.State.FIRING).setEmittedAt(Timestamps.fromMillis(1_700_000_000_000L));
    }

    @Test
    void aValidAlertKeepsTheContractAndBrokenFieldsAreNamed() {
        assertEquals(Optional.empty(), DriftAlertContract.violation(alert().build()));
        assertTrue(DriftAlertContract.violation(alert().clearModel().build()).orElseThrow().startsWith("model.name"));
        assertTrue(DriftAlertContract.violation(alert().setStateValue(9).build()).orElseThrow().startsWith("state"));
        assertTrue(DriftAlertContract.violation(alert().setState(DriftAlert.State.STATE_UNSPECIFIED).build()).orElseThrow().startsWith("state"));
        assertTrue(DriftAlertContract.violation(alert().setEmittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build())
                .orElseThrow().startsWith("emitted_at"));
    }
}
