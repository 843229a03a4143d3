package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetPacerTest {

    private static final EpochClock CLOCK = new EpochClock(Duration.ofHours(1), Duration.ofMinutes(5));
    private static final long EPOCH_MS = Duration.ofMinutes(5).toMillis();

    @Test
    void planSpreadsWhatIsLeftOverTheForecastTraffic() {
        BudgetedRate rate = new BudgetedRate(0.5, 1200, 0.95, 2.0, 12);
        // 1140 to spend; 3 recent epochs of 1000 → 12,000 expected → 0.095.
        BudgetedRate.EpochPlan plan = rate.plan(0, 0, new long[] {1000, 1000, 1000});
        assertEquals(0.095, plan.rate(), 1e-12);
        assertEquals(190.0, plan.ceiling(), 1e-9);
        // Half the period gone, 600 spent: 540 left over 6 epochs of 500 (recent mean) → 0.18.
        plan = rate.plan(6, 600, new long[] {400, 500, 600});
        assertEquals(0.18, plan.rate(), 1e-12);
        // Budget already spent: rate 0, ceiling 0.
        plan = rate.plan(9, 2000, new long[] {500});
        assertEquals(0.0, plan.rate());
        assertEquals(0.0, plan.ceiling());
        // Little traffic: the base rate caps the rate.
        assertEquals(0.5, rate.plan(3, 0, new long[] {10, 10, 10}).rate());
        // No history: base rate, the ceiling guards the budget.
        plan = rate.plan(0, 0, new long[0]);
        assertEquals(0.5, plan.rate());
        assertEquals(190.0, plan.ceiling(), 1e-9);
    }

    @Test
    void unbudgetedStrataKeepTheBaseRate() {
        BudgetPacer pacer = new BudgetPacer(new BudgetedRate(0.07, Double.POSITIVE_INFINITY, 0.95, 2, 12), CLOCK, 3,
                PacerState.INITIAL);
        for (int i = 0; i < 100_000; i++) {
            assertEquals(0.07, pacer.admit(i * 100L));
        }
    }

    @Test
    void coldStartEpochStopsAtItsCeilingThenTheRateIsLoweredAhead() {
        // Task budget 120 per hour, 95 % target: 9.5 per epoch on average, ceiling 19 in the cold epoch.
        BudgetPacer pacer = new BudgetPacer(new BudgetedRate(0.5, 120, 0.95, 2.0, 12), CLOCK, 3, PacerState.INITIAL);
        double spent = 0;
        for (int i = 0; i < 1000; i++) { // 1000 completions in epoch 0
            spent += pacer.admit(i * (EPOCH_MS / 1000));
        }
        assertEquals(19.0, spent, 1e-9, "the cold epoch spends its ceiling, not 500");
        double next = pacer.admit(EPOCH_MS);
        // 114 − 19 = 95 left over 11 epochs of 1000 forecast.
        assertEquals(95.0 / 11_000, next, 1e-12);
    }

    @Test
    void newPeriodStartsAfreshAndGapsCountAsEmptyEpochs() {
        BudgetPacer pacer = new BudgetPacer(new BudgetedRate(1.0, 1200, 1.0, 12.0, 12), CLOCK, 3, PacerState.INITIAL);
        for (int e = 0; e < 12; e++) {
            for (int i = 0; i < 100; i++) {
                pacer.admit(e * EPOCH_MS + i);
            }
        }
        assertEquals(1200.0, pacer.state().periodSpend() + pacer.state().epochSpend(), 1e-9);
        // Next period: nothing spent yet, 1200 over 12 epochs of 100.
        assertEquals(1.0, pacer.admit(12 * EPOCH_MS));
        assertEquals(0.0, pacer.state().periodSpend());
        // Skip to epoch 20 with nothing in 13..19: the recent counts are zeros → base rate.
        assertEquals(1.0, pacer.admit(20 * EPOCH_MS));
        assertArrayEquals(new long[] {0, 0, 0}, pacer.state().recentCounts());
    }

    @Test
    void lateCompletionsCountInTheCurrentEpoch() {
        BudgetPacer pacer = new BudgetPacer(new BudgetedRate(0.5, 1200, 0.95, 2.0, 12), CLOCK, 3, PacerState.INITIAL);
        pacer.admit(EPOCH_MS + 10);
        pacer.admit(EPOCH_MS - 10); // late, event time in epoch 0
        assertEquals(CLOCK.epochOf(EPOCH_MS), pacer.state().epoch());
        assertEquals(2, pacer.state().epochCount());
        assertEquals(EPOCH_MS + 10, pacer.state().streamTimeMs());
    }

    @Test
    void restoredFromItsStateAPacerContinuesIdentically() {
        List<Long> times = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            t += random.nextInt(1000);
            times.add(t - random.nextInt(3000)); // slightly out of order
        }
        BudgetedRate plan = new BudgetedRate(0.3, 500, 0.95, 2.0, 12);
        BudgetPacer straight = new BudgetPacer(plan, CLOCK, 3, PacerState.INITIAL);
        BudgetPacer restarted = new BudgetPacer(plan, CLOCK, 3, PacerState.INITIAL);
        for (int i = 0; i < times.size(); i++) {
            if (i % 777 == 0) {
                restarted = new BudgetPacer(plan, CLOCK, 3, restarted.state());
            }
            assertEquals(straight.admit(times.get(i)), restarted.admit(times.get(i)), 0.0, "record " + i);
        }
        assertEquals(straight.state(), restarted.state());
        assertTrue(straight.state().epoch() > 12, "the test spans more than one period");
    }
}
