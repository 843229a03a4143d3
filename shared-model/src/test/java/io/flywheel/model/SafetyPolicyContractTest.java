package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SafetyPolicyContractTest {

    private static SafetyPolicy.Builder policy() {
        return SafetyPolicy.newBuilder().setId("acme.words").setEnabled(true).setCategory("custom")
                .setTarget(SafetyTarget.BOTH).setAction(SafetyAction.BLOCK).setRegex("secret-[0-9]+");
    }

    private static String violation(String key, SafetyPolicy.Builder policy) {
        return SafetyPolicyContract.violation(key, policy.build()).orElseThrow();
    }

    @Test
    void aValidPolicyATombstoneAndASwitchOffKeepTheContract() {
        assertEquals(Optional.empty(), SafetyPolicyContract.violation("acme.words", policy().build()));
        assertEquals(Optional.empty(), SafetyPolicyContract.violation("acme.words", policy().clearId().build()));
        assertEquals(Optional.empty(), SafetyPolicyContract.violation("acme.words", null));
        assertEquals(Optional.empty(), SafetyPolicyContract.violation("pii.email",
                SafetyPolicy.newBuilder().setId("pii.email").setEnabled(false).build()));
    }

    @Test
    void eachBrokenFieldIsNamed() {
        assertEquals("record key 'acme.words' and policy id 'acme.other' differ", violation("acme.words", policy().setId("acme.other")));
        assertTrue(violation("acme words", policy().clearId()).startsWith("id must be"));
        assertTrue(violation("x".repeat(129), policy().clearId().setEnabled(false)).startsWith("id must be"));
        assertTrue(violation("acme.words", policy().setCategory("")).startsWith("category must be"));
        assertEquals("action missing (FLAG, REDACT or BLOCK)", violation("acme.words", policy().setActionValue(42)));
        assertEquals("target missing (PROMPT, RESPONSE or BOTH)", violation("acme.words", policy().clearTarget()));
        assertEquals("no detector (builtin, keywords or regex)", violation("acme.words", policy().clearDetector()));
        assertTrue(violation("acme.words", policy().setDescription("d".repeat(RecordLimits.MAX_INPUT_BYTES)))
                .startsWith("safety policy is "));
        assertTrue(SafetyPolicyContract.violation("acme words", null).orElseThrow().startsWith("id must be"));
    }
}
