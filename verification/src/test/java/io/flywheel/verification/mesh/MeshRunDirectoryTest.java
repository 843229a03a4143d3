package io.flywheel.verification.mesh;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshRunDirectoryTest {

    @Test
    void aDirectoryHoldingAnEarlierRunsBrokerDataIsRefusedBeforeAnythingStarts(@TempDir Path runDir) throws Exception {
        Path meta = runDir.resolve("kafka").resolve("data").resolve("meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "cluster.id=an-earlier-run\n");
        try (Mesh mesh = new Mesh(runDir, runDir, Map.of())) {
            var refused = assertThrows(IllegalStateException.class, mesh::startInfrastructure);
            assertTrue(refused.getMessage().contains("earlier run's broker data"), refused.getMessage());
        }
        assertTrue(Files.notExists(runDir.resolve("kafka").resolve("server.properties")), "nothing was written for a broker");
    }
}
