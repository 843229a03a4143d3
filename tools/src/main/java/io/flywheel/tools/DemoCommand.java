package io.flywheel.tools;

import io.flywheel.model.ProtobufSerdes;
import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "See the feedback loop close: linked traffic and a live view of the mesh.",
        subcommands = {DemoCommand.Run.class})
final class DemoCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Send linked completions and feedback (several models and prompt versions, one of which degrades, "
                    + "PII, secrets and injection attempts in a share) and show the mesh every few seconds, read through the "
                    + "services' gRPC queries and their topics. Ctrl-C stops the traffic; the services keep running.",
                    "Start the services with the demo settings (tools/flywheel-local demo does) or the loop takes hours to show."})
    static final class Run implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Mixin
        RegistryOptions registry;

        @Mixin
        MeshAddresses mesh;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "40", description = "Completions per second (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--degrade-after", paramLabel = "DURATION", defaultValue = "45s",
                description = "When the degrading model key's answers start to get worse (default: ${DEFAULT-VALUE}).")
        Duration degradeAfter;

        @Option(names = "--degrade-over", paramLabel = "DURATION", defaultValue = "10s",
                description = "How long its approval takes to fall to --degrade-to (default: ${DEFAULT-VALUE}).")
        Duration degradeOver;

        @Option(names = "--degrade-to", paramLabel = "SHARE", defaultValue = "0.1",
                description = "The approval it falls to, 0 to 1 (default: ${DEFAULT-VALUE}).")
        double degradeTo;

        @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0",
                description = "Stop after this long; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
        Duration duration;

        @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "2s", description = "How often the view is redrawn (default: ${DEFAULT-VALUE}).")
        Duration refresh;

        @Option(names = "--seed", paramLabel = "S", description = "Random seed, for a repeatable sequence (default: random, printed).")
        Long seed;

        @Option(names = "--plain", description = "Print each frame below the last instead of redrawing the screen (default when output is not a terminal).")
        boolean plain;

        @Override
        public Integer call() throws Exception {
            if (!(rate > 0 && Double.isFinite(rate))) {
                throw new ParameterException(spec.commandLine(), "--rate must be a positive number, got " + rate);
            }
            if (!(degradeTo >= 0 && degradeTo <= 1)) {
                throw new ParameterException(spec.commandLine(), "--degrade-to must be between 0 and 1, got " + degradeTo);
            }
            if (refresh.isZero()) {
                throw new ParameterException(spec.commandLine(), "--refresh must be longer than 0");
            }
            long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            boolean redraw = !plain && System.console() != null;
            PrintWriter out = spec.commandLine().getOut();
            Instant start = Instant.now();
            DemoTraffic traffic = new DemoTraffic(chosenSeed, start, new DemoTraffic.Degradation(degradeAfter, degradeOver, degradeTo));
            DemoTraffic.DemoKey degrading = traffic.degradingKey();
            DemoView view = new DemoView(start, degrading.label(), URLEncoder.encode(degrading.model(), StandardCharsets.UTF_8),
                    String.format(Locale.ROOT, "%.0f completions/s on %d model keys, seed %d; %s degrades from %s on", rate, traffic.keys().size(),
                            chosenSeed, degrading.label(), DemoView.clock(degradeAfter)));

            ProtobufSerdes serdes = new ProtobufSerdes(registry.url());
            List<ManagedChannel> channels = new ArrayList<>();
            CountDownLatch stopped = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            Thread onCtrlC = new Thread(() -> {
                stopped.countDown();
                try {
                    finished.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-stop");
            Runtime.getRuntime().addShutdownHook(onCtrlC);
            out.println("connecting to the broker and the services ...");
            out.flush();
            try (TopicTally tally = new TopicTally(kafka.clientConfig(), serdes, tallied());
                 DemoDriver driver = new DemoDriver(kafka.clientConfig(), serdes, traffic, rate).start()) {
                MeshSnapshot.Channels mesh = new MeshSnapshot.Channels(open(channels, this.mesh.aggregator), open(channels, this.mesh.safety),
                        open(channels, this.mesh.sampler), this.mesh.deadline.toMillis());
                Instant end = duration.isZero() ? Instant.MAX : start.plus(duration);
                do {
                    Instant now = Instant.now();
                    List<String> frame = view.frame(MeshSnapshot.take(mesh, tally, now), driver.state(now));
                    if (redraw) {
                        out.print("\033[H\033[2J");
                    } else {
                        out.println("---- " + DemoView.clock(Duration.between(start, now)));
                    }
                    frame.forEach(out::println);
                    out.flush();
                    if (driver.failure() != null) {
                        break;
                    }
                } while (!stopped.await(refresh.toMillis(), TimeUnit.MILLISECONDS) && Instant.now().isBefore(end));
                out.println();
                out.printf("traffic stopped after %s: %s%n", DemoView.clock(Duration.between(start, Instant.now())), driver.state(Instant.now()));
                out.printf("loop closed: first NEGATIVE_FEEDBACK sample at %s, drift alert on %s at %s, its first DRIFT sample at %s "
                                + "(since the traffic started); the services keep running (tools/flywheel-local down stops them)%n",
                        view.negativeFeedbackAt().map(DemoView::clock).orElse("-"), degrading.label(),
                        view.alertAt().map(DemoView::clock).orElse("-"), view.driftSamplesAt().map(DemoView::clock).orElse("-"));
                out.flush();
                return driver.failure() == null ? 0 : 1;
            } finally {
                channels.forEach(ManagedChannel::shutdownNow);
                finished.countDown();
                if (stopped.getCount() > 0) {
                    Runtime.getRuntime().removeShutdownHook(onCtrlC);
                }
            }
        }

        private ManagedChannel open(List<ManagedChannel> channels, String target) {
            ManagedChannel channel = mesh.open(target);
            channels.add(channel);
            return channel;
        }

        /** The topics the view counts: each service's inputs and outputs, and the dead-letter topics. */
        private static List<TopicSpec<?>> tallied() {
            List<TopicSpec<?>> topics = new ArrayList<>(List.of(Topics.LLM_COMPLETIONS, Topics.LLM_COMPLETIONS_SCREENED, Topics.SAFETY_VERDICTS,
                    Topics.FEEDBACK_EVENTS, Topics.FEEDBACK_AGGREGATES, Topics.FEEDBACK_ALERTS, Topics.EVAL_SAMPLES));
            TopicsCommand.APPLICATION_DLQS.forEach((applicationId, restricted) -> topics.add(Topics.deadLetter(applicationId, restricted)));
            return topics;
        }
    }
}
