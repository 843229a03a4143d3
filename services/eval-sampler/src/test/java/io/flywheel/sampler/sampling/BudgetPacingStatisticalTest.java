package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.sampler.config.ConfigFixtures;
import io.flywheel.sampler.sampling.SamplerHarness.Arrival;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Event-time traffic at ten times the budget over five one-hour periods, with a diurnal ramp,
 * minute-to-minute jitter and a ten-minute surge, through one {@link PartitionSampler} per
 * partition: every period gets 90–100 % of the budget, spread across the period.
 */
@Tag("statistical")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetPacingStatisticalTest {

    private static final int PARTITIONS = 6;
    private static final int PERIODS = 5;
    private static final long BUDGET = 10_000;
    private static final long HOUR_MS = 3_600_000L;
    private static final long MINUTE_MS = 60_000L;
    private static final long START_MS = Instant.parse("2026-11-26T06:00:00Z").toEpochMilli();
    private static final String MODEL = "busy-model";

    private SamplingPolicy policy;
    private List<Arrival> arrivals;
    private long completions;
    private List<EvalSample> samples;
    private SamplerHarness run;

    @BeforeAll
    void runOnce() {
        policy = ConfigFixtures.policy(Map.of(
                "salt", "budget-test-salt",
                "period", "1h",
                "epoch", "5m",
                "strata." + MODEL + ".base-rate", "0.5",
                "strata." + MODEL + ".budget-per-period", Long.toString(BUDGET)));
        SplittableRandom random = new SplittableRandom(97);
        arrivals = new ArrayList<>();
        double meanPerMinute = 10.0 * BUDGET / 60.0;
        int conversation = 0;
        for (int minute = 0; minute < PERIODS * 60; minute++) {
            // Morning ramp of a daily cycle (0.75× → 1.25× of the mean over five hours).
            double diurnal = 1.0 + 0.5 * Math.sin(2 * Math.PI * (minute - 150) / (24 * 60.0));
            double jitter = 1.0 + 0.15 * (2 * random.nextDouble() - 1);
            double surge = minute >= 140 && minute < 150 ? 1.8 : 1.0;
            double expected = meanPerMinute * diurnal * jitter * surge / 1.3; // 1.3 completions per conversation
            long conversations = Math.max(0, Math.round(expected + Math.sqrt(expected) * gaussian(random)));
            for (long c = 0; c < conversations; c++) {
                String id = "conv-" + conversation++;
                long t = START_MS + minute * MINUTE_MS + random.nextLong(MINUTE_MS);
                int turns = random.nextDouble() < 0.7 ? 1 : 2;
                for (int turn = 0; turn < turns; turn++) {
                    arrivals.add(Arrival.of(t + random.nextInt(3000),
                            Fixtures.completion(id, id + "-" + turn, MODEL, "", t, SafetyVerdict.Decision.ALLOW)));
                    completions++;
                    t += 20_000 + random.nextInt(70_000);
                }
            }
        }
        arrivals.sort(SamplerHarness.ARRIVAL_ORDER);
        run = new SamplerHarness(policy, PARTITIONS, DriftStatus.NONE);
        samples = run.run(arrivals);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    @Test
    void everyPeriodGetsNinetyToHundredPercentOfItsBudgetSpreadAcrossIt() {
        long[] perPeriod = new long[PERIODS + 1];
        long[][] perQuarter = new long[PERIODS + 1][4];
        for (EvalSample sample : samples) {
            assertEquals(EvalSample.Reason.BASELINE, sample.getReason());
            long offset = Timestamps.toMillis(sample.getCompletion().getCompletion().getCreatedAt()) - START_MS;
            int period = (int) (offset / HOUR_MS);
            perPeriod[period]++;
            perQuarter[period][(int) (offset % HOUR_MS / (HOUR_MS / 4))]++;
        }
        StringBuilder report = new StringBuilder(String.format("traffic %d completions (%.1f× the budget per period)%n",
                completions, completions / (double) (BUDGET * PERIODS)));
        for (int p = 0; p < PERIODS; p++) {
            report.append(String.format("period %d: %d samples = %.1f %% of budget; quarters %.1f / %.1f / %.1f / %.1f %%%n",
                    p, perPeriod[p], 100.0 * perPeriod[p] / BUDGET,
                    100.0 * perQuarter[p][0] / perPeriod[p], 100.0 * perQuarter[p][1] / perPeriod[p],
                    100.0 * perQuarter[p][2] / perPeriod[p], 100.0 * perQuarter[p][3] / perPeriod[p]));
        }
        System.out.print(report);
        for (int p = 0; p < PERIODS; p++) {
            assertTrue(perPeriod[p] >= 0.90 * BUDGET && perPeriod[p] <= BUDGET, report::toString);
            for (int q = 0; q < 4; q++) {
                assertTrue(perQuarter[p][q] <= 0.40 * perPeriod[p], report::toString);
                assertTrue(perQuarter[p][q] >= 0.15 * perPeriod[p], "not cut off, not starved: " + report);
            }
        }
        // The carried-over completions of the last conversations spill into a sixth hour: a handful only.
        assertTrue(perPeriod[PERIODS] < 0.01 * BUDGET, report::toString);
    }

    @Test
    void ratesComeFromCountsSoTheExpectedDrawsHitTheTarget() {
        StratumSummary stats = run.mergedStats().get(StratumKey.ofModel(MODEL));
        assertEquals(completions, stats.seen());
        double expectedPerPeriod = stats.expectedBaselineDraws() / PERIODS;
        System.out.printf("expected draws per period %.1f (target %.1f), realised %.1f, dropped by the budget %d%n",
                expectedPerPeriod, 0.95 * BUDGET, stats.baselineDraws() / (double) PERIODS, stats.dropped());
        assertTrue(expectedPerPeriod > 0.93 * BUDGET && expectedPerPeriod < 0.96 * BUDGET, "" + expectedPerPeriod);
        assertTrue(stats.dropped() > 0);
        // Every sample carries the rate its epoch offered: the base rate only in the cold first epoch
        // (no counts yet), lowered ahead of time from then on.
        long epochMs = 5 * MINUTE_MS;
        assertTrue(samples.stream().allMatch(s -> s.getInclusionProbability() <= 0.5));
        assertTrue(samples.stream().filter(s -> Timestamps.toMillis(s.getSampledAt()) >= START_MS + epochMs)
                .allMatch(s -> s.getInclusionProbability() < 0.2));
        assertTrue(samples.stream().mapToDouble(EvalSample::getInclusionProbability).distinct().count() > 100,
                "each task and epoch has its own rate");
    }

    @Test
    void replayingOnePartitionReproducesItsRatesAndSamples() {
        int partition = 2;
        List<Arrival> own = arrivals.stream()
                .filter(a -> SamplerHarness.partitionOf(a.conversationId(), PARTITIONS) == partition).toList();
        List<EvalSample> first = new ArrayList<>();
        List<EvalSample> second = new ArrayList<>();
        PartitionSampler a = new PartitionSampler(policy, PARTITIONS, new InMemorySamplerMemory(), DriftStatus.NONE);
        PartitionSampler b = new PartitionSampler(policy, PARTITIONS, new InMemorySamplerMemory(), DriftStatus.NONE);
        for (Arrival arrival : own) {
            first.addAll(a.onCompletion(arrival.completion()));
        }
        for (Arrival arrival : own) {
            second.addAll(b.onCompletion(arrival.completion()));
        }
        assertEquals(first, second);
        assertEquals(a.stats(), b.stats());
        // And the replayed partition matches what that task did inside the whole run.
        assertEquals(first, samples.stream().filter(s -> SamplerHarness.partitionOf(
                s.getCompletion().getCompletion().getConversationId(), PARTITIONS) == partition).toList());
    }
}
