package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.sampler.sampling.SamplerHarness.Arrival;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * 200,000 synthetic conversations in three strata at 1 %, 5 % and 20 % (no budget), plus
 * conversations that span two models, through one {@link PartitionSampler} per partition.
 */
@Tag("statistical")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SamplingRatesStatisticalTest {

    private static final int PARTITIONS = 6;
    private static final long DAY_MS = 24 * 3600 * 1000L;
    private static final Map<String, Double> RATES = Map.of(
            "model-a", 0.01, "model-b", 0.05, "model-c", 0.20, "model-c-fallback", 0.20);

    private SamplingPolicy policy;
    private List<Arrival> arrivals;
    /** conversation → stratum → completions of the conversation in that stratum. */
    private final Map<String, Map<String, Integer>> completionsOf = new HashMap<>();
    private List<EvalSample> samples;
    private SamplerHarness run;

    @BeforeAll
    void runOnce() {
        Map<String, String> properties = new HashMap<>();
        properties.put("salt", "statistical-test-salt");
        RATES.forEach((model, rate) -> properties.put("strata." + model + ".base-rate", Double.toString(rate)));
        policy = ConfigFixtures.policy(properties);

        SplittableRandom random = new SplittableRandom(20261126L);
        arrivals = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            double pick = random.nextDouble();
            String model = pick < 0.40 ? "model-a" : pick < 0.75 ? "model-b" : "model-c";
            conversation(random, "conv-" + i, model, model);
        }
        for (int i = 0; i < 10_000; i++) { // equal rates: sampled in both or in neither
            conversation(random, "span-eq-" + i, "model-c", "model-c-fallback");
        }
        for (int i = 0; i < 10_000; i++) { // unequal rates: nested samples
            conversation(random, "span-ab-" + i, "model-a", "model-b");
        }
        arrivals.sort(SamplerHarness.ARRIVAL_ORDER);
        run = new SamplerHarness(policy, PARTITIONS, DriftStatus.NONE);
        samples = run.run(arrivals);
    }

    /** 2–5 turns alternating between two models (the same model twice for a single-model conversation). */
    private void conversation(SplittableRandom random, String id, String first, String second) {
        int turns = first.equals(second) ? 1 + random.nextInt(4) : 2 + random.nextInt(4);
        long t = random.nextLong(DAY_MS);
        for (int turn = 0; turn < turns; turn++) {
            String model = turn % 2 == 0 ? first : second;
            arrivals.add(Arrival.of(t + random.nextInt(2000), Fixtures.completion(id, id + "-t" + turn, model, "", t,
                    SafetyVerdict.Decision.ALLOW)));
            completionsOf.computeIfAbsent(id, k -> new HashMap<>()).merge(model, 1, Integer::sum);
            t += 20_000 + random.nextInt(100_000);
        }
    }

    @Test
    void realisedRatesLieWithinThreeSigmaOfTarget() {
        Map<String, Set<String>> sampledConversations = new HashMap<>();
        Map<String, Integer> sampledCompletions = new HashMap<>();
        for (EvalSample sample : samples) {
            assertEquals(EvalSample.Reason.BASELINE, sample.getReason());
            String model = sample.getCompletion().getCompletion().getModel().getName();
            assertEquals(RATES.get(model), sample.getInclusionProbability(), 0.0, "inclusion probability is the rate");
            sampledConversations.computeIfAbsent(model, k -> new HashSet<>())
                    .add(sample.getCompletion().getCompletion().getConversationId());
            sampledCompletions.merge(model, 1, Integer::sum);
        }
        Map<StratumKey, StratumSummary> stats = run.mergedStats();
        StringBuilder report = new StringBuilder();
        for (String model : List.of("model-a", "model-b", "model-c", "model-c-fallback")) {
            double r = RATES.get(model);
            long conversations = completionsOf.values().stream().filter(m -> m.containsKey(model)).count();
            long sumK = completionsOf.values().stream().mapToLong(m -> m.getOrDefault(model, 0)).sum();
            long sumK2 = completionsOf.values().stream().mapToLong(m -> (long) m.getOrDefault(model, 0) * m.getOrDefault(model, 0)).sum();

            // Conversation level: independent Bernoulli(r) trials.
            int hits = sampledConversations.getOrDefault(model, Set.of()).size();
            double sigma = Math.sqrt(conversations * r * (1 - r));
            double z = (hits - conversations * r) / sigma;
            // Completion level: every completion of a conversation shares its draw, so the variance is r(1-r)Σk².
            int completionHits = sampledCompletions.getOrDefault(model, 0);
            double completionSigma = Math.sqrt(r * (1 - r) * sumK2);
            double completionZ = (completionHits - sumK * r) / completionSigma;
            report.append(String.format("%s: r=%.2f conversations %d sampled %d (z=%.2f); completions %d sampled %d (z=%.2f)%n",
                    model, r, conversations, hits, z, sumK, completionHits, completionZ));
            assertTrue(Math.abs(z) < 3, report::toString);
            assertTrue(Math.abs(completionZ) < 3, report::toString);

            StratumSummary stratum = stats.get(StratumKey.ofModel(model));
            assertEquals(sumK, stratum.seen());
            assertEquals(completionHits, stratum.sampledBaseline());
            assertEquals(r, stratum.targetRate(), 1e-12);
            assertEquals(completionHits / (double) sumK, stratum.realisedRate(), 1e-12);
            assertEquals(0, stratum.dropped());
        }
        System.out.print(report);
    }

    @Test
    void replayingTheSameInputGivesTheSameSamplesAndRates() {
        SamplerHarness replay = new SamplerHarness(policy, PARTITIONS, DriftStatus.NONE);
        List<EvalSample> again = replay.run(arrivals);
        assertEquals(samples, again, "same samples, same order, same probabilities");
        assertEquals(run.mergedStats(), replay.mergedStats());

        // Another deployment with another partition count draws the same baseline sample.
        List<EvalSample> otherDeployment = new SamplerHarness(policy, 3, DriftStatus.NONE).run(arrivals);
        assertEquals(ids(samples), ids(otherDeployment));
    }

    @Test
    void aConversationSpanningTwoModelsAtEqualRatesIsSampledInBothOrNeither() {
        Map<String, Set<String>> modelsSampled = modelsSampledByConversation();
        int both = 0;
        for (int i = 0; i < 10_000; i++) {
            Set<String> models = modelsSampled.getOrDefault("span-eq-" + i, Set.of());
            assertTrue(models.isEmpty() || models.equals(Set.of("model-c", "model-c-fallback")), "span-eq-" + i + ": " + models);
            if (!models.isEmpty()) {
                both++;
            }
        }
        assertTrue(both > 1800 && both < 2200, "about 20 % sampled: " + both);
        // Unequal rates: the 1 % sample of such conversations is nested inside their 5 % sample.
        for (int i = 0; i < 10_000; i++) {
            Set<String> models = modelsSampled.getOrDefault("span-ab-" + i, Set.of());
            assertTrue(!models.contains("model-a") || models.contains("model-b"), "span-ab-" + i + ": " + models);
        }
    }

    @Test
    void everyCompletionOfASampledConversationIsSampledInTheSameStratum() {
        Map<String, Map<String, Long>> sampledPerConversation = samples.stream().collect(Collectors.groupingBy(
                s -> s.getCompletion().getCompletion().getConversationId(),
                Collectors.groupingBy(s -> s.getCompletion().getCompletion().getModel().getName(), Collectors.counting())));
        sampledPerConversation.forEach((conversation, byModel) -> byModel.forEach((model, count) ->
                assertEquals(completionsOf.get(conversation).get(model).longValue(), count, conversation + "/" + model)));
    }

    private Map<String, Set<String>> modelsSampledByConversation() {
        Map<String, Set<String>> models = new HashMap<>();
        for (EvalSample sample : samples) {
            models.computeIfAbsent(sample.getCompletion().getCompletion().getConversationId(), k -> new HashSet<>())
                    .add(sample.getCompletion().getCompletion().getModel().getName());
        }
        return models;
    }

    private static Set<String> ids(List<EvalSample> samples) {
        return samples.stream().map(EvalSample::getSampleId).collect(Collectors.toSet());
    }
}
