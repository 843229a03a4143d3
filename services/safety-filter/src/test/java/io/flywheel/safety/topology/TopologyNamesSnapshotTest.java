package io.flywheel.safety.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.testkit.TopologyNames;
import org.junit.jupiter.api.Test;

/**
 * Renaming a store or an internal topic makes an upgraded instance start from empty state. This
 * test pins the names: change the snapshot only with a migration plan.
 */
class TopologyNamesSnapshotTest {

    @Test
    void storesAndTopicsKeepTheirNames() {
        assertEquals(TopologyNames.snapshot("/topology-names.snapshot"),
                TopologyNames.of(SafetyTopology.build(SafetySettings.defaults(), ProtobufSerdes.withoutRegistry(), new ActivePolicySet())));
    }
}
