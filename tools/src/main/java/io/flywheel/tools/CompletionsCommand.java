package io.flywheel.tools;

import io.flywheel.events.v1.Completion;
import io.flywheel.model.Topics;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "completions", mixinStandardHelpOptions = true,
        description = "Produce model responses (llm.completions) for the safety filter and the sampler.",
        subcommands = {CompletionsCommand.Produce.class})
final class CompletionsCommand {

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = {"Generate Completions keyed by conversation_id (murmur2), a share carrying e-mails, phones, "
                    + "test card numbers, IBANs, IPs or injection phrases, through the registry."})
    static final class Produce implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        TrafficOptions traffic;

        private double sensitiveShare;

        @Option(names = "--sensitive-share", paramLabel = "S", defaultValue = "0.1",
                description = "Share of responses with something the safety filter acts on, 0 to 1 (default: ${DEFAULT-VALUE}).")
        void sensitiveShare(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new ParameterException(spec.commandLine(), "--sensitive-share must be between 0 and 1, got " + share);
            }
            this.sensitiveShare = share;
        }

        @Override
        public Integer call() throws Exception {
            CompletionTraffic completions = new CompletionTraffic(traffic.seed(), traffic.models(), sensitiveShare, Instant::now);
            PacedSender.Outcome outcome = PacedSender.send(traffic, Topics.LLM_COMPLETIONS, completions::next,
                    Completion::getConversationId, completion -> { });
            System.out.printf("sent %d completions to %s in %.1f s (%.0f/s), seed %d; by partition %s%n",
                    outcome.acknowledged(), Topics.LLM_COMPLETIONS.name(), outcome.seconds(), outcome.perSecond(), traffic.seed(),
                    outcome.partitions());
            if (outcome.failure() != null) {
                System.err.println("send failed: " + outcome.failure());
                return 1;
            }
            return 0;
        }
    }
}
