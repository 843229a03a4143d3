package io.flywheel.tools;

import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every traffic generator takes (where to send, how many, how fast, over how many
 * model keys, from which seed), checked as they are parsed so no generator can skip a check.
 */
final class TrafficOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    RegistryOptions registry;

    private long count;
    private double rate;
    private int models;
    private Long seed;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1000", description = "Records to send (default: ${DEFAULT-VALUE}).")
    void count(long count) {
        require(count >= 0, "--count must be at least 0, got " + count);
        this.count = count;
    }

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Records per second; 0 sends as fast as the broker takes them (default: ${DEFAULT-VALUE}).")
    void rate(double rate) {
        require(rate >= 0 && Double.isFinite(rate), "--rate must be a finite number at least 0, got " + rate);
        this.rate = rate;
    }

    @Option(names = "--models", paramLabel = "K", defaultValue = "6",
            description = "Distinct (model, version, prompt_version) keys (default: ${DEFAULT-VALUE}).")
    void models(int models) {
        require(models >= 1, "--models must be at least 1, got " + models);
        this.models = models;
    }

    @Option(names = "--seed", paramLabel = "S", description = "Random seed, for a repeatable sequence (default: random, printed).")
    void seed(Long seed) {
        this.seed = seed;
    }

    long count() {
        return count;
    }

    double rate() {
        return rate;
    }

    int models() {
        return models;
    }

    /** The seed given, or a random one chosen once (the summary prints it so a run can be repeated). */
    long seed() {
        if (seed == null) {
            seed = ThreadLocalRandom.current().nextLong();
        }
        return seed;
    }

    private void require(boolean valid, String message) {
        if (!valid) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
