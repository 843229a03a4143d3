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
    void theSecondHalfCountsFromTheFirstCommitAtHalfTheInput() {
        // A slow start (warm-up) is left out: 2,000 records in the first 4 s, then 10,000/s.
        List<Reading> readings = List.of(new Reading(0, 0), new Reading(SECOND, 500), new Reading(5 * SECOND, 2_500),
                new Reading(6 * SECOND, 12_500), new Reading(7 * SECOND, 22_500), new Reading(8 * SECOND, 22_500));
        assertEquals(10_000.0, DrainTiming.secondHalfThroughput(readings, 22_500), 1e-9);
        assertEquals(22_000 / 6.0, DrainTiming.throughput(readings, 22_500), 1e-9);
    }

    @Test
    void cpuPerRecordOverTheSecondHalf() {
        // The second half starts at the reading of 7,500 (the first at half of 12,500 or more): 5,000
        // records to the end, 0.75 s of CPU between, 150 µs each. The start-up's CPU is left out.
        List<Reading> readings = List.of(new Reading(0, 0, 0), new Reading(SECOND, 500, 4 * SECOND),
                new Reading(5 * SECOND, 2_500, 5 * SECOND), new Reading(6 * SECOND, 7_500, 6 * SECOND),
                new Reading(7 * SECOND, 12_500, 6_750_000_000L));
        assertEquals(150.0, DrainTiming.secondHalfCpuMicrosPerRecord(readings, 12_500), 1e-9);
    }

    @Test
    void aSecondHalfInOneCommitCannotBeMeasured() {
        List<Reading> readings = List.of(new Reading(0, 0), new Reading(SECOND, 100), new Reading(2 * SECOND, 1_000));
        assertThrows(IllegalStateException.class, () -> DrainTiming.secondHalfThroughput(readings, 1_000));
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
