package io.flywheel.tools;

import io.flywheel.events.v1.Completion;
import io.flywheel.model.Topics;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
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
            long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            CompletionTraffic traffic = new CompletionTraffic(usedSeed, models, sensitiveShare, Instant::now);
            PacedSender.Outcome outcome = PacedSender.send(kafka, registry, Topics.LLM_COMPLETIONS, count, rate,
                    traffic::next, Completion::getConversationId, completion -> { });
            System.out.printf("sent %d completions to %s in %.1f s (%.0f/s), seed %d; by partition %s%n",
                    outcome.acknowledged(), Topics.LLM_COMPLETIONS.name(), outcome.seconds(), outcome.perSecond(), usedSeed,
                    outcome.partitions());
            if (outcome.failure() != null) {
                System.err.println("send failed: " + outcome.failure());
                return 1;
            }
            return 0;
        }
    }
}
