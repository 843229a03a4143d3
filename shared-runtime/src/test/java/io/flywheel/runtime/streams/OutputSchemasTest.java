package io.flywheel.runtime.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.RegistryAccessException;
import io.flywheel.runtime.deadletter.RegistryUnavailableException;
import io.flywheel.testkit.TopologyTestDrivers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** Output schemas resolved before processing: an outage after that never reaches a write. */
class OutputSchemasTest {

    private static final String INPUT = "sample-ids";

    /** Reads ids and writes one sample each to {@code eval.samples}, the way a service's sink does. */
    private static Topology samplesTopology(ProtobufSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(id -> EvalSample.newBuilder().setSampleId(id).build())
                .to(Topics.EVAL_SAMPLES.name(), Produced.with(Serdes.String(), serdes.value(Topics.EVAL_SAMPLES)));
        return builder.build();
    }

    private static TopologyTestDriver driver(Topology topology) {
        return TopologyTestDrivers.open(topology, "output-schemas-test", 0, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void afterResolvingAtStartAnOutageNeverReachesAWrite() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            Topology topology = samplesTopology(serdes);
            OutputSchemas.resolve(serdes, Duration.ofSeconds(30));
            assertEquals(List.of(), serdes.unresolvedOutputs());
            int requestsAtStart = registry.requests().size();

            registry.failWith(503);
            try (TopologyTestDriver driver = driver(topology)) {
                var in = driver.createInputTopic(INPUT, Serdes.String().serializer(), Serdes.String().serializer());
                var out = driver.createOutputTopic(Topics.EVAL_SAMPLES.name(), Serdes.String().deserializer(),
                        Serdes.ByteArray().deserializer());
                for (int i = 0; i < 200; i++) {
                    in.pipeInput("k" + i, "sample-" + i);
                }
                List<byte[]> written = out.readValuesToList();
                assertEquals(200, written.size());
                byte[] payload = EvalSample.newBuilder().setSampleId("sample-199").build().toByteArray();
                byte[] last = written.get(199);
                assertEquals(ByteBuffer.wrap(payload), ByteBuffer.wrap(last, last.length - payload.length, payload.length),
                        "the last record carries its sample after the schema id");
            }
            assertEquals(requestsAtStart, registry.requests().size(), "no write went to the registry");
        }
    }

    @Test
    void withoutResolvingTheFirstWriteDuringAnOutageFails() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            registry.failWith(503);
            try (TopologyTestDriver driver = driver(samplesTopology(serdes))) {
                var in = driver.createInputTopic(INPUT, Serdes.String().serializer(), Serdes.String().serializer());
                StreamsException failure = assertThrows(StreamsException.class, () -> in.pipeInput("k", "sample"));
                assertTrue(RegistryUnavailableException.isRegistryClientOutage(failure), failure.toString());
            }
        }
    }

    @Test
    void theStartWaitsWhileTheRegistryIsDownAndGoesOnWhenItAnswers() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            samplesTopology(serdes);
            registry.failWith(503);
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> OutputSchemas.resolve(serdes, Duration.ofSeconds(60)));
            while (registry.requests().size() < 3) {
                Thread.sleep(20);
            }
            assertTrue(!start.isDone(), "the start waits while the registry is down");
            assertEquals(List.of(Topics.EVAL_SAMPLES.name() + "=EvalSample"), serdes.unresolvedOutputs());
            registry.recover();
            start.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(), serdes.unresolvedOutputs());
        }
    }

    @Test
    void aRegistryDownForLongerThanThePatienceFailsTheStartWithAMessage() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            samplesTopology(serdes);
            registry.failWith(503);
            RegistryUnavailableException failure = assertThrows(RegistryUnavailableException.class,
                    () -> OutputSchemas.resolve(serdes, Duration.ofMillis(500)));
            assertTrue(failure.getMessage().contains("flywheel.registry.startup-patience"), failure.getMessage());
            assertTrue(failure.getMessage().contains(Topics.EVAL_SAMPLES.name()), failure.getMessage());
        }
    }

    @Test
    void refusedCredentialsFailTheStartAtOnce() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            samplesTopology(serdes);
            registry.failWith(401);
            RegistryAccessException failure = assertThrows(RegistryAccessException.class,
                    () -> OutputSchemas.resolve(serdes, Duration.ofSeconds(60)));
            assertTrue(failure.getMessage().contains("flywheel.registry.serde"), failure.getMessage());
            assertEquals(1, registry.requests().size(), "no retry: " + registry.requests());
        }
    }

    @Test
    void everyOutputIsResolvedAndNamedOnce() throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            StreamsBuilder builder = new StreamsBuilder();
            var ids = builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()));
            ids.mapValues(id -> EvalSample.newBuilder().setSampleId(id).build())
                    .to(Topics.EVAL_SAMPLES.name(), Produced.with(Serdes.String(), serdes.value(Topics.EVAL_SAMPLES)));
            ids.mapValues(id -> FeedbackAggregate.newBuilder().setPromptVersion(id).build())
                    .to(Topics.FEEDBACK_AGGREGATES.name(), Produced.with(Serdes.String(), serdes.value(Topics.FEEDBACK_AGGREGATES)));
            ids.mapValues(id -> DriftAlert.newBuilder().setPromptVersion(id).build())
                    .to(Topics.FEEDBACK_ALERTS.name(), Produced.with(Serdes.String(), serdes.value(Topics.FEEDBACK_ALERTS)));
            builder.build();

            assertEquals(List.of(Topics.EVAL_SAMPLES.name() + "=EvalSample", Topics.FEEDBACK_AGGREGATES.name() + "=FeedbackAggregate",
                    Topics.FEEDBACK_ALERTS.name() + "=DriftAlert"), serdes.resolveOutputSchemas());
            assertEquals(List.of(), serdes.unresolvedOutputs());
            assertEquals(List.of(), serdes.resolveOutputSchemas(), "nothing is resolved twice");
        }
    }

    @Test
    void serdesWithoutARegistryHaveNothingToResolve() {
        ProtobufSerdes serdes = ProtobufSerdes.withoutRegistry();
        samplesTopology(serdes);
        OutputSchemas.resolve(serdes, Duration.ZERO);
        assertEquals(List.of(), serdes.unresolvedOutputs());
    }
}
