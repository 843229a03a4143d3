package io.flywheel.testkit;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/** One real Kafka node (KRaft, broker and controller combined) on free ports, inside this JVM. */
final class InJvmBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private InJvmBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static InJvmBroker start() throws Exception {
        // A broker fault (say, during JVM shutdown under load) must not halt the test JVM: a halted
        // fork fails the build after its tests passed. Kafka's own test harness masks Exit too.
        Exit.setExitProcedure((status, message) ->
                System.err.println("flywheel test stack: broker asked to exit(" + status + "): " + message));
        Exit.setHaltProcedure((status, message) ->
                System.err.println("flywheel test stack: broker asked to halt(" + status + "): " + message));
        MetadataVersion version = MetadataVersion.latestProduction();
        // With the version alone the production feature levels are missing, and consumers then fail
        // with "cluster does not support the new CONSUMER group protocol".
        Map<String, Short> features = new HashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            features.put(feature.featureName(), feature.defaultLevel(version));
        }
        BootstrapMetadata bootstrap = BootstrapMetadata.fromVersions(version, features, "flywheel-testkit");
        TestKitNodes nodes = new TestKitNodes.Builder(bootstrap)
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "3")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                // Otherwise every new consumer group (each Streams client) waits 3 s for its first assignment.
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // A broker may accept larger records than the services ever write: tests of oversized
                // inputs (a 2 MiB prompt) must reach the services, not stop at the broker's 1 MiB default.
                .setConfigProp("message.max.bytes", Integer.toString(FlywheelTestStack.MAX_RECORD_BYTES))
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return new InJvmBroker(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Stops the broker, giving up after 20 s: the JVM is exiting anyway and takes the broker with it. */
    @Override
    public void close() throws Exception {
        Thread closer = new Thread(() -> {
            try {
                cluster.close();
            } catch (Exception e) {
                System.err.println("flywheel test stack: broker close failed: " + e);
            }
        }, "flywheel-broker-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(20_000);
    }
}
