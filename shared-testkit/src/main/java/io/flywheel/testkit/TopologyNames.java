package io.flywheel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

/**
 * The names an upgrade must keep: stores, source and sink topics (internal ones included), global
 * stores, and the number of subtopologies (task ids, hence state folders, follow it). Each
 * service's snapshot test compares them with a committed file: renaming one makes an upgraded
 * instance start from empty state.
 */
public final class TopologyNames {

    private TopologyNames() {
    }

    /** One name per line, sorted. */
    public static String of(Topology topology) {
        TopologyDescription description = topology.describe();
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
        return String.join("\n", List.copyOf(names));
    }

    /** The committed snapshot, a classpath resource of the test (e.g. {@code /topology-names.snapshot}). */
    public static String snapshot(String resource) {
        try (InputStream in = TopologyNames.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no snapshot " + resource + " on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
