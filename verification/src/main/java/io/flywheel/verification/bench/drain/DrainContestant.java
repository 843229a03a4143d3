package io.flywheel.verification.bench.drain;

import io.flywheel.model.ProtobufSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One baseline of the drain benchmark in a JVM of its own, launched by {@link DrainBench} with the
 * same heap, flags, stream threads and commit interval as the service it is compared with; runs until
 * it is stopped.
 */
@Command(name = "drain-contestant", mixinStandardHelpOptions = true)
public final class DrainContestant implements Callable<Integer> {

    /** The baselines; the service itself runs from its own packaged jar. */
    public enum Shape { BYTES_PASSTHROUGH, STRUCTURAL_PASSTHROUGH, TEXTBOOK }

    @Option(names = "--shape", required = true)
    Shape shape;

    @Option(names = "--service", required = true)
    String service;

    @Option(names = "--application-id", required = true)
    String applicationId;

    @Option(names = "--bootstrap-servers", required = true)
    String bootstrapServers;

    @Option(names = "--registry-url", required = true)
    String registryUrl;

    @Option(names = "--state-dir", required = true)
    Path stateDir;

    @Option(names = "--threads", defaultValue = "1")
    int threads;

    @Option(names = "--commit-interval-ms", defaultValue = "200")
    long commitIntervalMs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DrainContestant()).execute(args));
    }

    static Topology topology(Shape shape, String service, ProtobufSerdes serdes) {
        return switch (shape) {
            case BYTES_PASSTHROUGH -> DrainTopologies.bytesPassthrough(service);
            case STRUCTURAL_PASSTHROUGH -> DrainTopologies.structuralPassthrough(service, serdes);
            case TEXTBOOK -> DrainTopologies.textbookAggregation(serdes);
        };
    }

    @Override
    public Integer call() throws InterruptedException {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // The services' own settings (shared-runtime's defaults): exactly-once v2, the commit interval given.
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        CountDownLatch stopped = new CountDownLatch(1);
        KafkaStreams streams = new KafkaStreams(topology(shape, service, new ProtobufSerdes(registryUrl)), config);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10)), "close-streams"));
        streams.start();
        stopped.await();
        return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
    }
}
