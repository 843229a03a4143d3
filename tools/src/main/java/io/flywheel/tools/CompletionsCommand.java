package io.flywheel.tools;

import io.flywheel.events.v1.Completion;
import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.Topics;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "completions", mixinStandardHelpOptions = true,
        description = "Produce model responses (llm.completions) for the safety filter and the sampler.",
        subcommands = {CompletionsCommand.Produce.class})
final class CompletionsCommand {

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = {"Generate Completions keyed by conversation_id (murmur2), a share carrying e-mails, phones, "
                    + "test card numbers, IBANs, IPs or injection phrases, through the registry."})
    static final class Produce implements Callable<Integer> {

        @Mixin
        KafkaOptions kafka;

        @Mixin
        RegistryOptions registry;

        @Option(names = "--count", paramLabel = "N", defaultValue = "1000", description = "Completions to send (default: ${DEFAULT-VALUE}).")
        long count;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
                description = "Completions per second; 0 sends as fast as the broker takes them (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--models", paramLabel = "K", defaultValue = "6",
                description = "Distinct (model, version, prompt_version) keys (default: ${DEFAULT-VALUE}).")
        int models;

        @Option(names = "--sensitive-share", paramLabel = "S", defaultValue = "0.1",
                description = "Share of responses with something the safety filter acts on (default: ${DEFAULT-VALUE}).")
        double sensitiveShare;

        @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: random, printed).")
        Long seed;

        @Override
        public Integer call() throws Exception {
            if (count < 0 || rate < 0) {
                throw new IllegalArgumentException("--count and --rate must be >= 0");
            }
            long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            CompletionTraffic traffic = new CompletionTraffic(usedSeed, models, sensitiveShare, Instant::now);
            Map<String, Object> config = kafka.clientConfig();
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
            String topic = Topics.LLM_COMPLETIONS.name();
            AtomicLong acked = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long started = System.nanoTime();
            try (KafkaProducer<String, Completion> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new ProtobufSerdes(registry.url()).valueSerializer(Completion.class))) {
                for (long i = 0; i < count && failure.get() == null; i++) {
                    if (rate > 0) {
                        long wait = started + (long) (i * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    Completion completion = traffic.next();
                    producer.send(new ProducerRecord<>(topic, completion.getConversationId(), completion), (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        } else {
                            acked.incrementAndGet();
                        }
                    });
                }
                producer.flush();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("sent %d completions to %s in %.1f s, seed %d%n", acked.get(), topic, seconds, usedSeed);
            if (failure.get() != null) {
                System.err.println("send failed: " + failure.get());
                return 1;
            }
            return 0;
        }
    }
}
