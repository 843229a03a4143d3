package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.sampler.sampling.SamplerHarness.Arrival;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Weighting the samples back to the traffic: a Hájek (ratio) estimate, computed from the samples
 * alone (their completions and {@code inclusion_probability}), of the share of completions with
 * a hidden attribute, over three strata at different rates (one of them held down by its budget,
 * so its rate changes every epoch), with SAFETY, DRIFT and NEGATIVE_FEEDBACK boosts that all
 * over-represent the attribute. Its 95 % interval must hold the true share; the unweighted share
 * of the samples must not.
 *
 * <p>Design: completion i is in the sample iff u(conversation) < π_i, with π_i the highest rate
 * that applied to it; a completion sampled twice (on arrival, then boosted) is counted once at
 * its highest probability. Different conversations are independent (π_ij = π_i π_j); completions
 * of one conversation share u, so π_ij = min(π_i, π_j). The variance estimator uses exactly these.
 */
@Tag("statistical")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InverseProbabilityEstimateStatisticalTest {

    private static final long START_MS = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();
    private static final long HOUR_MS = 3_600_000L;
    private static final int CONVERSATIONS = 30_000;
    private static final int PARTITIONS = 6;
    private static final String ATTRIBUTE = "hallucinated";

    private List<Arrival> arrivals;
    private double trueShare;
    private long completions;
    private DriftAlertBoard board;

    private static SamplingPolicy policy(String salt) {
        return ConfigFixtures.policy(Map.of(
                "salt", salt,
                "strata.alpha.base-rate", "0.02",
                "strata.beta.base-rate", "0.10",
                "strata.gamma.base-rate", "0.40",
                "strata.gamma.budget-per-period", "300",
                "safety-rate", "0.6",
                "drift-rate", "0.3",
                "negative-feedback-rate", "0.5",
                "boost-window", "10m",
                "boost-grace", "1m"));
    }

    @BeforeAll
    void generateTraffic() {
        SplittableRandom random = new SplittableRandom(4242);
        arrivals = new ArrayList<>();
        long positives = 0;
        for (int i = 0; i < CONVERSATIONS; i++) {
            String conversation = "conv-" + i;
            double pick = random.nextDouble();
            String model = pick < 0.5 ? "alpha" : pick < 0.8 ? "beta" : "gamma";
            double baseShare = switch (model) {
                case "alpha" -> 0.04;
                case "beta" -> 0.08;
                default -> 0.12;
            };
            long t = START_MS + random.nextLong(6 * HOUR_MS);
            int turns = 1 + random.nextInt(4);
            for (int turn = 0; turn < turns; turn++) {
                boolean flagged = random.nextDouble() < 0.03;
                boolean positive = random.nextDouble() < (flagged ? 0.35 : baseShare);
                positives += positive ? 1 : 0;
                completions++;
                ScreenedCompletion completion = completion(conversation, conversation + "-" + turn, model, t, flagged, positive);
                arrivals.add(Arrival.of(t + random.nextInt(30_000), completion));
                if (random.nextDouble() < (positive ? 0.5 : 0.04)) {
                    long occurred = t + (long) (-240_000 * Math.log(1 - random.nextDouble())); // ~4 min, some beyond 10
                    FeedbackEvent feedback = Fixtures.thumbDown("fb-" + conversation + "-" + turn, completion, occurred);
                    arrivals.add(Arrival.of(occurred + random.nextInt(2000), feedback));
                }
                t += 30_000 + random.nextInt(120_000);
            }
        }
        trueShare = positives / (double) completions;
        // beta drifts between hour 2 and hour 4.
        arrivals.add(Arrival.sideEffect(START_MS + 2 * HOUR_MS, () -> board.apply(alert(DriftAlert.State.FIRING, 2))));
        arrivals.add(Arrival.sideEffect(START_MS + 4 * HOUR_MS, () -> board.apply(alert(DriftAlert.State.RECOVERED, 4))));
        arrivals.sort(SamplerHarness.ARRIVAL_ORDER);
    }

    private static ScreenedCompletion completion(String conversation, String id, String model, long t, boolean flagged,
                                                 boolean positive) {
        ScreenedCompletion plain = Fixtures.completion(conversation, id, model, "", t,
                flagged ? SafetyVerdict.Decision.FLAG : SafetyVerdict.Decision.ALLOW);
        Completion withAttribute = plain.getCompletion().toBuilder().putAttributes(ATTRIBUTE, positive ? "1" : "0").build();
        return plain.toBuilder().setCompletion(withAttribute).build();
    }

    private static DriftAlert alert(DriftAlert.State state, int hour) {
        return DriftAlert.newBuilder().setModel(ModelRef.newBuilder().setName("beta").setVersion("v1"))
                .setPromptVersion("p1").setState(state).setEmittedAt(Timestamps.fromMillis(START_MS + hour * HOUR_MS)).build();
    }

    /** The Hájek estimate and its standard error, from samples only. */
    record Estimate(double share, double standardError, double unweightedShare, int distinctCompletions) {

        boolean covers(double truth) {
            return Math.abs(share - truth) <= 1.96 * standardError;
        }

        static Estimate of(List<EvalSample> samples) {
            Map<String, Double> probability = new HashMap<>();
            Map<String, Integer> attribute = new HashMap<>();
            Map<String, List<String>> byConversation = new HashMap<>();
            for (EvalSample sample : samples) {
                Completion completion = sample.getCompletion().getCompletion();
                String id = completion.getCompletionId();
                if (!probability.containsKey(id)) {
                    byConversation.computeIfAbsent(completion.getConversationId(), k -> new ArrayList<>()).add(id);
                    attribute.put(id, Integer.parseInt(completion.getAttributesOrThrow(ATTRIBUTE)));
                }
                probability.merge(id, sample.getInclusionProbability(), Math::max);
            }
            double weights = 0;
            double weightedPositives = 0;
            int positives = 0;
            for (Map.Entry<String, Double> entry : probability.entrySet()) {
                weights += 1 / entry.getValue();
                weightedPositives += attribute.get(entry.getKey()) / entry.getValue();
                positives += attribute.get(entry.getKey());
            }
            double share = weightedPositives / weights;
            double variance = 0;
            for (List<String> ids : byConversation.values()) {
                for (String i : ids) {
                    for (String j : ids) {
                        double pi = probability.get(i);
                        double pj = probability.get(j);
                        double joint = Math.min(pi, pj);
                        variance += (joint - pi * pj) / joint
                                * (attribute.get(i) - share) / pi * (attribute.get(j) - share) / pj;
                    }
                }
            }
            variance /= weights * weights;
            return new Estimate(share, Math.sqrt(variance), positives / (double) probability.size(), probability.size());
        }
    }

    private List<EvalSample> sampleWith(String salt) {
        board = new DriftAlertBoard();
        return new SamplerHarness(policy(salt), PARTITIONS, board).run(arrivals);
    }

    private List<EvalSample> mainRun;

    private List<EvalSample> mainRun() {
        if (mainRun == null) {
            mainRun = sampleWith("ipw-main");
        }
        return mainRun;
    }

    @Test
    void weightedEstimateFromTheSamplesAloneCoversTheTrueShare() {
        List<EvalSample> samples = mainRun();
        Map<EvalSample.Reason, Integer> byReason = new EnumMap<>(EvalSample.Reason.class);
        samples.forEach(s -> byReason.merge(s.getReason(), 1, Integer::sum));
        for (EvalSample.Reason reason : List.of(EvalSample.Reason.BASELINE, EvalSample.Reason.SAFETY,
                EvalSample.Reason.DRIFT, EvalSample.Reason.NEGATIVE_FEEDBACK)) {
            assertTrue(byReason.getOrDefault(reason, 0) > 50, "every reason is exercised: " + byReason);
        }
        Estimate estimate = Estimate.of(samples);
        System.out.printf("traffic %d completions, true share %.4f; %d samples %s over %d completions;"
                        + " Hájek %.4f ± %.4f (95 %%: [%.4f, %.4f]); unweighted %.4f%n",
                completions, trueShare, samples.size(), byReason, estimate.distinctCompletions(), estimate.share(),
                1.96 * estimate.standardError(), estimate.share() - 1.96 * estimate.standardError(),
                estimate.share() + 1.96 * estimate.standardError(), estimate.unweightedShare());
        assertTrue(estimate.covers(trueShare), estimate + " vs " + trueShare);
        assertTrue(!estimate.covers(estimate.unweightedShare()) && Math.abs(estimate.unweightedShare() - trueShare)
                > 3 * estimate.standardError(), "without the weights the boosts bias the share: " + estimate);
    }

    /**
     * Design-based repetition: the same traffic drawn with other salts. The intervals cover the
     * truth about 95 % of the time and the estimates centre on it.
     */
    @Test
    void acrossSaltsTheIntervalsCoverAndTheEstimatesCentreOnTheTruth() {
        int runs = 8;
        int covered = 0;
        double sum = 0;
        double sumSquaredError = 0;
        StringBuilder report = new StringBuilder();
        for (int k = 0; k < runs; k++) {
            Estimate estimate = Estimate.of(sampleWith("ipw-repeat-" + k));
            covered += estimate.covers(trueShare) ? 1 : 0;
            sum += estimate.share();
            sumSquaredError += estimate.standardError() * estimate.standardError();
            report.append(String.format("salt %d: %.4f ± %.4f%n", k, estimate.share(), 1.96 * estimate.standardError()));
        }
        double mean = sum / runs;
        double seOfMean = Math.sqrt(sumSquaredError) / runs;
        report.append(String.format("true %.4f, mean of %d estimates %.4f (z=%.2f), %d/%d intervals cover%n",
                trueShare, runs, mean, (mean - trueShare) / seOfMean, covered, runs));
        System.out.print(report);
        assertTrue(covered >= runs - 2, report::toString);
        assertTrue(Math.abs(mean - trueShare) < 3 * seOfMean, report::toString);
    }

    @Test
    void theSamplesOfOneSaltAreReproducible() {
        assertEquals(mainRun(), sampleWith("ipw-main"));
    }
}
