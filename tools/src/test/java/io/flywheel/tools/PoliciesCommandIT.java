package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.Topics;
import io.flywheel.testkit.FlywheelTestStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code policies apply} against a real broker and registry. */
class PoliciesCommandIT {

    private final FlywheelTestStack stack = FlywheelTestStack.shared();

    @Test
    void appliesTheDifferenceAndPrunesOnlyWhenAsked() throws Exception {
        stack.createTopics(Topics.SAFETY_POLICIES);
        String a = "it.a-" + UUID.randomUUID().toString().substring(0, 8);
        String b = "it.b-" + UUID.randomUUID().toString().substring(0, 8);
        String c = "it.c-" + UUID.randomUUID().toString().substring(0, 8);
        Path pack = Files.createTempFile("pack", ".yaml");
        pack.toFile().deleteOnExit();
        Files.writeString(pack, pack(List.of(
                entry(a, "FLAG", "alpha"),
                entry(b, "FLAG", "bravo"))));
        int before = stack.readCommitted(Topics.SAFETY_POLICIES, Integer.MAX_VALUE, Duration.ofSeconds(3)).size();

        String dry = run("--file", pack.toString(), "--dry-run");
        assertTrue(dry.contains("+ added     " + a) && dry.contains("+ added     " + b), dry);
        assertTrue(dry.contains("dry run: nothing written"), dry);
        assertEquals(before, stack.readCommitted(Topics.SAFETY_POLICIES, Integer.MAX_VALUE, Duration.ofSeconds(3)).size());

        String applied = run("--file", pack.toString());
        assertTrue(applied.contains("applied: 2 record(s), 0 tombstone(s)"), applied);
        Map<String, SafetyPolicy> latest = latest();
        assertEquals(SafetyAction.FLAG, latest.get(a).getAction());
        assertEquals(List.of("bravo"), latest.get(b).getKeywords().getKeywordsList());

        Files.writeString(pack, pack(List.of(
                entry(b, "BLOCK", "bravo"),
                entry(c, "REDACT", "charlie"))));
        String kept = run("--file", pack.toString());
        assertTrue(kept.contains("~ changed   " + b + "  (action)"), kept);
        assertTrue(kept.contains("+ added     " + c), kept);
        assertTrue(kept.contains("not in file (kept; --prune removes it) " + a), kept);
        assertTrue(kept.contains("applied: 2 record(s), 0 tombstone(s)"), kept);
        assertEquals(SafetyAction.FLAG, latest().get(a).getAction(), "without --prune nothing is removed");

        String pruned = run("--file", pack.toString(), "--prune");
        assertTrue(pruned.contains("- removed   " + a), pruned);
        assertTrue(pruned.contains("= unchanged 2"), pruned);
        Map<String, SafetyPolicy> after = latest();
        assertTrue(after.containsKey(a));
        assertNull(after.get(a), "a tombstone for the pruned policy");
        assertEquals(SafetyAction.BLOCK, after.get(b).getAction());

        String again = run("--file", pack.toString());
        assertTrue(again.contains("nothing to write"), again);
    }

    private static String pack(List<String> entries) {
        return "policies:\n" + String.join("", entries);
    }

    private static String entry(String id, String action, String keyword) {
        return "  - id: " + id + "\n    enabled: true\n    category: it\n    target: BOTH\n    keywords: [" + keyword
                + "]\n    action: " + action + "\n";
    }

    /** The latest value per key on safety.policies (null for a tombstone). */
    private Map<String, SafetyPolicy> latest() {
        Map<String, SafetyPolicy> latest = new HashMap<>();
        for (ConsumerRecord<String, SafetyPolicy> record
                : stack.readCommitted(Topics.SAFETY_POLICIES, Integer.MAX_VALUE, Duration.ofSeconds(3))) {
            latest.put(record.key(), record.value());
        }
        return latest;
    }

    private String run(String... options) {
        String[] args = new String[options.length + 6];
        args[0] = "policies";
        args[1] = "apply";
        args[2] = "--bootstrap-servers";
        args[3] = stack.bootstrapServers();
        args[4] = "--registry-url";
        args[5] = stack.registryUrl();
        System.arraycopy(options, 0, args, 6, options.length);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = FlywheelTools.commandLine().execute(args);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, exit, String.join(" ", args) + " ->\n" + output);
        return output;
    }
}
