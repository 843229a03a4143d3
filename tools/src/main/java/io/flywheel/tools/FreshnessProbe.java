package io.flywheel.tools;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.ModelKey;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long feedback takes from a producer's acknowledged send to a gRPC stats answer: one thumb
 * on a fresh key per sample, then GetStats polled until the key answers.
 */
@Command(name = "freshness", mixinStandardHelpOptions = true,
        description = "Measure produce-to-query latency of the feedback-aggregator (HdrHistogram, ms).")
final class FreshnessProbe implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    RegistryOptions registry;

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:18090",
            description = "feedback-aggregator gRPC address (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "20", description = "Probes to send (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Give up on one probe after this long, e.g. 500ms, 30s, 5m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be at least 1");
        }
        String[] hostPort = target.split(":");
        ManagedChannel channel = ManagedChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1])).usePlaintext().build();
        Histogram millis = new Histogram(TimeUnit.MINUTES.toMillis(1), 3);
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int missed = 0;
        try (KafkaProducer<String, FeedbackEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ProtobufSerdes(registry.url()).valueSerializer(FeedbackEvent.class))) {
            var stats = FeedbackQueryServiceGrpc.newBlockingStub(channel);
            for (int i = 0; i < samples; i++) {
                String probe = "freshness-probe-" + UUID.randomUUID();
                long now = System.currentTimeMillis();
                FeedbackEvent event = FeedbackEvent.newBuilder()
                        .setFeedbackId(probe).setConversationId(probe).setCompletionId(probe).setUserId("probe")
                        .setModel(ModelRef.newBuilder().setName("freshness-probe").setVersion("1"))
                        .setPromptVersion(probe)
                        .setCompletionCreatedAt(Timestamps.fromMillis(now)).setOccurredAt(Timestamps.fromMillis(now))
                        .setThumb(FeedbackEvent.Thumb.THUMB_UP)
                        .build();
                producer.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), probe, event)).get();
                long sent = System.nanoTime();
                GetStatsRequest request = GetStatsRequest.newBuilder().setKey(ModelKey.newBuilder()
                        .setModelName("freshness-probe").setModelVersion("1").setPromptVersion(probe)).build();
                boolean seen = false;
                while (!seen && System.nanoTime() - sent < timeout.toNanos()) {
                    try {
                        seen = stats.withDeadlineAfter(2, TimeUnit.SECONDS).getStats(request).getAllTime().getThumbsUp() == 1;
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                            throw e;
                        }
                        Thread.sleep(10);
                    }
                }
                if (seen) {
                    millis.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)));
                } else {
                    missed++;
                }
            }
        } finally {
            channel.shutdownNow();
        }
        System.out.printf("freshness over %d probes (ms from acknowledged send to a gRPC answer): median %d, p90 %d, p99 %d, max %d; missed %d%n",
                millis.getTotalCount(), millis.getValueAtPercentile(50), millis.getValueAtPercentile(90),
                millis.getValueAtPercentile(99), millis.getMaxValue(), missed);
        return missed == 0 ? 0 : 1;
    }
}
