package io.flywheel.sampler.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.model.ProtobufSerdes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Renaming a store or an internal topic makes an upgraded instance start from empty state. This
 * test pins the names: change the snapshot only with a migration plan.
 */
class TopologyNamesSnapshotTest {

    @Test
    void storesAndTopicsKeepTheirNames() throws IOException {
        SamplerSettings settings = new SamplerSettings(SamplerSettings.DEFAULT_APPLICATION_ID, SamplerTopologyTest.POLICY);
        TopologyDescription description = SamplerTopology.build(settings, ProtobufSerdes.withoutRegistry()).describe();
        TreeSet<String> names = new TreeSet<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().forEach(store -> names.add("store " + store));
                } else if (node instanceof TopologyDescription.Source source) {
                    source.topicSet().forEach(topic -> names.add("source " + topic));
                } else if (node instanceof TopologyDescription.Sink sink) {
                    names.add("sink " + sink.topic());
                }
            }
        }
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            global.source().topicSet().forEach(topic -> names.add("global source " + topic));
            global.processor().stores().forEach(store -> names.add("global store " + store));
        }
        names.add("subtopologies " + description.subtopologies().size());
        String expected;
        try (InputStream snapshot = getClass().getResourceAsStream("/topology-names.snapshot")) {
            expected = new String(snapshot.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertEquals(expected, String.join("\n", List.copyOf(names)));
    }
}
