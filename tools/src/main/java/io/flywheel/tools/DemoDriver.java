package io.flywheel.tools;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the demo's traffic on a thread of its own: completions at a steady rate, and each piece
 * of feedback when it falls due, both keyed by conversation id, idempotent with acks=all. Stops
 * at the first failed send, or when closed (sending what is in flight first).
 */
final class DemoDriver implements AutoCloseable {

    private static final long TICK_MILLIS = 20;

    private final DemoTraffic traffic;
    private final double rate;
    private final KafkaProducer<String, Completion> completions;
    private final KafkaProducer<String, FeedbackEvent> feedback;
    private final AtomicLong completionsSent = new AtomicLong();
    private final AtomicLong feedbackSent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread sender;
    private volatile boolean stopped;

    DemoDriver(Map<String, Object> kafkaConfig, ProtobufSerdes serdes, DemoTraffic traffic, double completionsPerSecond) {
        this.traffic = traffic;
        this.rate = completionsPerSecond;
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        this.completions = new KafkaProducer<>(config, new StringSerializer(), serdes.valueSerializer(Completion.class));
        this.feedback = new KafkaProducer<>(config, new StringSerializer(), serdes.valueSerializer(FeedbackEvent.class));
        this.sender = new Thread(this::send, "demo-traffic");
    }

    DemoDriver start() {
        sender.start();
        return this;
    }

    private void send() {
        long startNanos = System.nanoTime();
        long sent = 0;
        Callback completionAcked = acknowledged(completionsSent);
        Callback feedbackAcked = acknowledged(feedbackSent);
        try {
            while (!stopped && failure.get() == null) {
                Instant now = Instant.now();
                long due = (long) (rate * (System.nanoTime() - startNanos) / 1e9);
                for (; sent < due; sent++) {
                    Completion completion = traffic.nextCompletion(now);
                    completions.send(new ProducerRecord<>(Topics.LLM_COMPLETIONS.name(), completion.getConversationId(), completion), completionAcked);
                }
                for (FeedbackEvent event : traffic.feedbackDue(now)) {
                    feedback.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), event.getConversationId(), event), feedbackAcked);
                }
                Thread.sleep(TICK_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private Callback acknowledged(AtomicLong counter) {
        return (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            } else {
                counter.incrementAndGet();
            }
        };
    }

    long completionsSent() {
        return completionsSent.get();
    }

    long feedbackSent() {
        return feedbackSent.get();
    }

    /** The first failed send, if any: the traffic stops there. */
    Exception failure() {
        return failure.get();
    }

    boolean sending() {
        return sender.isAlive();
    }

    /** One line on what was sent so far and how the degrading key is doing. */
    String state(Instant now) {
        DemoTraffic.DemoKey degrading = traffic.degradingKey();
        return String.format(java.util.Locale.ROOT, "sent %d completions and %d feedback events; %s answers now get %s approval (was %s)%s",
                completionsSent(), feedbackSent(), degrading.label(), QueryCommand.percent(traffic.approval(degrading, now)),
                QueryCommand.percent(degrading.approval()), failure() == null ? "" : "; SENDING STOPPED: " + failure());
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        sender.join(Duration.ofSeconds(10).toMillis());
        completions.close(Duration.ofSeconds(10));
        feedback.close(Duration.ofSeconds(10));
    }
}
