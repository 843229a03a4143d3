package io.flywheel.verification.bench.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flywheel.verification.bench.drain.DrainTiming.Reading;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainTimingTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void countsFromTheFirstCommitToTheCommitThatReachesTheEnd() {
        // Start-up (no commit for 5 s) is outside; 1,000 records were in the first commit.
        List<Reading> readings = List.of(new Reading(0, 0), new Reading(5 * SECOND, 0), new Reading(6 * SECOND, 1_000),
                new Reading(8 * SECOND, 6_000), new Reading(10 * SECOND, 11_000), new Reading(11 * SECOND, 11_000));
        assertEquals(2_500.0, DrainTiming.throughput(readings, 11_000), 1e-9);
    }

    @Test
    void aDrainWhoseFirstCommitCoversEverythingCannotBeMeasured() {
        List<Reading> readings = List.of(new Reading(0, 0), new Reading(SECOND, 500));
        assertThrows(IllegalStateException.class, () -> DrainTiming.throughput(readings, 500));
    }

    @Test
    void readingsThatNeverReachTheEndAreNoMeasurement() {
        List<Reading> readings = List.of(new Reading(0, 10), new Reading(SECOND, 400));
        assertThrows(IllegalStateException.class, () -> DrainTiming.throughput(readings, 500));
    }

    @Test
    void theMedianOfOddAndEvenRounds() {
        assertEquals(20.0, DrainTiming.median(List.of(30.0, 10.0, 20.0)));
        assertEquals(25.0, DrainTiming.median(List.of(40.0, 10.0, 20.0, 30.0)));
        assertThrows(IllegalArgumentException.class, () -> DrainTiming.median(List.of()));
    }
}
