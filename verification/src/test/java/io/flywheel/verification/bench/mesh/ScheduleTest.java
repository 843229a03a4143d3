package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {

    @Test
    void sendsAreDueEvenlyFromTheStart() {
        Schedule schedule = new Schedule(4);
        assertEquals(0, schedule.dueNanos(0));
        assertEquals(250_000_000L, schedule.dueNanos(1));
        assertEquals(1_000_000_000L, schedule.dueNanos(4));
        assertEquals(2_500_000_000L, schedule.dueNanos(10));
    }

    @Test
    void aFractionalRateKeepsItsAverageOverLongRuns() {
        Schedule schedule = new Schedule(3);
        assertEquals(333_333_333L, schedule.dueNanos(1));
        assertEquals(3_000_000_000_000_000L, schedule.dueNanos(9_000_000));
    }

    @Test
    void countsTheSendsDueWithinAWindow() {
        assertEquals(5_000, new Schedule(500).sendsWithin(Duration.ofSeconds(10)));
        assertEquals(2, new Schedule(4).sendsWithin(Duration.ofMillis(300)));
        assertEquals(0, new Schedule(4).sendsWithin(Duration.ZERO));
    }

    @Test
    void aShareOfAMaximumNeverDropsBelowOneASecond() {
        assertEquals(400.0, Schedule.shareOf(2_000, 0.2).perSecond(), 1e-9);
        assertEquals(1.0, Schedule.shareOf(0, 0.2).perSecond(), 1e-9);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsRatesThatAreNotPositiveAndFinite(double rate) {
        assertThrows(IllegalArgumentException.class, () -> new Schedule(rate));
    }
}
