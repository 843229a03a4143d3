package io.flywheel.safety.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import io.flywheel.runtime.streams.IntakeCheck;
import io.flywheel.safety.rules.RejectedPolicy;
import io.flywheel.testkit.TopologyTestDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake check of safety.policies: a record that breaks the contract is dead-lettered once
 * with its bytes and a reason naming the field; a valid policy, a tombstone, a switch-off and a
 * policy the compiler refuses are not; and what it dead-letters is exactly what the global store
 * processor skips, compiler refusals aside.
 */
class PolicyIntakeCheckTest {

    private static final Instant WALL_CLOCK = Instant.parse("2026-11-27T00:00:00Z");
    private static final ProtobufSerdes SERDES = ProtobufSerdes.withoutRegistry();
    private static final byte[] GARBAGE = {(byte) 0xff, 0x13, 0x37};

    @TempDir
    Path stateDir;

    private static SafetyPolicy.Builder policy(String id) {
        return SafetyPolicy.newBuilder().setId(id).setRevision(1).setEnabled(true).setCategory("custom")
                .setAction(SafetyAction.BLOCK).setTarget(SafetyTarget.BOTH).setRegex("secret-[0-9]+");
    }

    private static KeyValue<byte[], byte[]> record(String key, SafetyPolicy.Builder value) {
        return KeyValue.pair(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.build().toByteArray());
    }

    /** Offset by offset: valid, tombstone, key ≠ id, unknown action, garbage, no key, bad RE2, switch-off, no detector, bad id. */
    private static List<KeyValue<byte[], byte[]>> records() {
        return List.of(
                record("acme.valid", policy("acme.valid")),
                record("acme.gone", null),
                record("acme.key", policy("acme.other")),
                record("acme.action", policy("acme.action").setActionValue(42)),
                KeyValue.pair("acme.garbage".getBytes(StandardCharsets.UTF_8), GARBAGE),
                record(null, policy("acme.nokey")),
                record("acme.re2", policy("acme.re2").setRegex("(unclosed")),
                record("pii.email", SafetyPolicy.newBuilder().setId("pii.email").setEnabled(false)),
                record("acme.detector", policy("acme.detector").clearDetector()),
                record("acme words", policy("").clearId()));
    }

    private IntakeCheck intakeCheck() {
        StreamsConfig service = new StreamsConfig(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "safety-filter",
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1", StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
        return SafetyTopology.policyIntakeCheck(true, service, SafetySettings.defaults(), SERDES,
                new SafetyMetrics(new SimpleMeterRegistry()));
    }

    private List<TestRecord<byte[], byte[]>> deadLetters(IntakeCheck check) {
        try (TopologyTestDriver driver = TopologyTestDrivers.open(check.topology(), check.applicationId(), 0, WALL_CLOCK)) {
            var input = driver.createInputTopic(Topics.SAFETY_POLICIES.name(), new ByteArraySerializer(), new ByteArraySerializer());
            records().forEach(record -> input.pipeInput(record.key, record.value));
            return driver.createOutputTopic(SafetyTopology.deadLetterTopic(SafetySettings.defaults()).name(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        }
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void badRecordsAreDeadLetteredOnceWithTheirBytesAndAReasonNamingTheField() {
        IntakeCheck check = intakeCheck();
        assertEquals("safety-filter-policy-intake", check.applicationId());
        List<TestRecord<byte[], byte[]>> dead = deadLetters(check);

        assertEquals(List.of("2", "3", "4", "5", "8", "9"), dead.stream().map(d -> header(d, DeadLetterHeaders.SOURCE_OFFSET)).toList());
        List<KeyValue<byte[], byte[]>> sent = records();
        for (TestRecord<byte[], byte[]> letter : dead) {
            KeyValue<byte[], byte[]> original = sent.get(Integer.parseInt(header(letter, DeadLetterHeaders.SOURCE_OFFSET)));
            assertArrayEquals(original.key, letter.key());
            assertArrayEquals(original.value, letter.value());
            assertEquals(Topics.SAFETY_POLICIES.name(), header(letter, DeadLetterHeaders.SOURCE_TOPIC));
            assertEquals("safety-filter-policy-intake", header(letter, DeadLetterHeaders.APPLICATION_ID));
        }
        assertEquals("record key 'acme.key' and policy id 'acme.other' differ", header(dead.get(0), DeadLetterHeaders.ERROR_MESSAGE));
        assertEquals("action missing (FLAG, REDACT or BLOCK)", header(dead.get(1), DeadLetterHeaders.ERROR_MESSAGE));
        assertTrue(header(dead.get(2), DeadLetterHeaders.ERROR_CLASS).endsWith("Exception"), "undecodable: the parser's exception");
        assertEquals("MissingKey", header(dead.get(3), DeadLetterHeaders.ERROR_CLASS));
        assertNull(dead.get(3).key());
        assertEquals("no detector (builtin, keywords or regex)", header(dead.get(4), DeadLetterHeaders.ERROR_MESSAGE));
        assertTrue(header(dead.get(5), DeadLetterHeaders.ERROR_MESSAGE).startsWith("id must be"));
    }

    @Test
    void deadLettersExactlyWhatTheGlobalStoreSkipsExceptCompilerRefusals() {
        Set<String> deadLettered = deadLetters(intakeCheck()).stream()
                .map(d -> header(d, DeadLetterHeaders.SOURCE_OFFSET)).collect(Collectors.toCollection(TreeSet::new));

        ActivePolicySet active = new ActivePolicySet();
        List<RejectedPolicy> skipped;
        try (TopologyTestDriver driver = TopologyTestDrivers.open(SafetyTopology.build(SafetySettings.defaults(), SERDES, active),
                SafetySettings.DEFAULT_APPLICATION_ID, 0, WALL_CLOCK)) {
            var input = driver.createInputTopic(Topics.SAFETY_POLICIES.name(), new ByteArraySerializer(), new ByteArraySerializer());
            records().forEach(record -> input.pipeInput(record.key, record.value));
            skipped = new ArrayList<>(active.get().skipped());
        }
        Set<String> skippedOffsets = skipped.stream().map(s -> Long.toString(s.offset())).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("2", "3", "4", "5", "6", "8", "9"), skippedOffsets);
        RejectedPolicy refused = skipped.stream().filter(s -> s.offset() == 6).findFirst().orElseThrow();
        assertTrue(refused.reason().startsWith("regex does not compile as RE2"), refused.reason());
        skippedOffsets.remove("6");
        assertEquals(skippedOffsets, deadLettered);
        assertTrue(active.get().rules().stream().anyMatch(rule -> rule.policy().getId().equals("acme.valid")));
    }
}
