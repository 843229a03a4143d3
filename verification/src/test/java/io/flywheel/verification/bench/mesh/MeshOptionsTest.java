package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MeshOptionsTest {

    private static MeshOptions parse(String... args) {
        return CommandLine.populateCommand(new MeshOptions(), args);
    }

    @Test
    void defaultsAreTheIssuesRateWithTwoInstancesAndTheImageHeap() {
        MeshOptions options = parse();
        options.validate();
        assertEquals(5000, options.rate);
        assertEquals(5000, options.completionRate());
        assertEquals(2, options.instances);
        assertEquals(List.of("-Xmx512m"), options.serviceJvm);
        assertEquals(Duration.ofMillis(200), options.probeInterval);
        assertEquals(Duration.ofSeconds(10), options.probeTimeout);
    }

    @Test
    void completionsFollowTheFeedbackRateUnlessSet() {
        assertEquals(800, parse("--rate", "800").completionRate());
        assertEquals(0, parse("--rate", "800", "--completion-rate", "0").completionRate());
    }

    @Test
    void readsDurationsAndJvmOptionsAsWritten() {
        MeshOptions options = parse("--duration", "2m", "--probe-interval", "50ms", "--service-jvm", "-Xmx384m -XX:+UseSerialGC");
        assertEquals(Duration.ofMinutes(2), options.duration);
        assertEquals(Duration.ofMillis(50), options.probeInterval);
        assertEquals(List.of("-Xmx384m", "-XX:+UseSerialGC"), options.serviceJvm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--instances=1", "--rate=0", "--query-callers=0", "--query-buckets=1001"})
    void rejectsSettingsTheBenchCannotRun(String setting) {
        assertThrows(IllegalArgumentException.class, () -> parse(setting).validate());
    }
}
