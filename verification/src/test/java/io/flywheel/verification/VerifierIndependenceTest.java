package io.flywheel.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The verifier and the workload it recomputes import no product class: only the generated
 * Protobuf messages (the contract) and the harness's own packages.
 */
class VerifierIndependenceTest {

    @Test
    void verifierAndWorkloadImportOnlyTheContract() throws IOException {
        Path root = Path.of("src/main/java/io/flywheel/verification");
        List<String> offending;
        try (Stream<Path> files = Stream.concat(Files.list(root.resolve("verify")), Files.list(root.resolve("workload")))) {
            offending = files.flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream().filter(line -> line.startsWith("import io.flywheel.")
                            && !line.startsWith("import io.flywheel.events.v1.")
                            && !line.startsWith("import io.flywheel.verification.")).map(line -> file.getFileName() + ": " + line);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertEquals(List.of(), offending);
    }
}
