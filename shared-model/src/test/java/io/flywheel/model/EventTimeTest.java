package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventTimeTest {

    private static final long NOW = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final Duration SKEW = Duration.ofMinutes(5);

    @Test
    void aTimeUpToTheSkewAheadOfTheWallClockIsKept() {
        assertEquals(Optional.empty(), EventTime.violation("occurred_at", Timestamps.fromMillis(NOW + SKEW.toMillis()), NOW, SKEW));
        assertEquals(Optional.empty(), EventTime.violation("occurred_at", Timestamps.fromMillis(0), NOW, SKEW));
    }

    @Test
    void aTimeFurtherAheadIsRefusedNamingTheField() {
        String reason = EventTime.violation("created_at", Timestamps.fromMillis(NOW + SKEW.toMillis() + 1), NOW, SKEW).orElseThrow();
        assertTrue(reason.startsWith("created_at 2026-03-01T12:05:00.001Z is more than PT5M ahead"), reason);
    }

    @Test
    void secondsOutsideTimestampsRangeAreRefusedWithoutThrowing() {
        Timestamp year10000 = Timestamp.newBuilder().setSeconds(253402300800L).build();
        assertTrue(EventTime.violation("occurred_at", year10000, NOW, SKEW).orElseThrow().startsWith("occurred_at (seconds=253402300800"));
        Timestamp badNanos = Timestamp.newBuilder().setSeconds(1).setNanos(-5).build();
        assertTrue(EventTime.violation("occurred_at", badNanos, NOW, SKEW).orElseThrow().contains("outside protobuf Timestamp's range"));
        Timestamp minLong = Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).build();
        assertTrue(EventTime.violation("occurred_at", minLong, NOW, SKEW).isPresent());
    }

    @Test
    void aTimeBeforeTheEpochIsRefused() {
        Timestamp year1 = Timestamp.newBuilder().setSeconds(-62135596800L).build();
        assertTrue(EventTime.violation("occurred_at", year1, NOW, SKEW).orElseThrow().contains("before 1970"));
    }

    @Test
    void anExtremeWallClockDoesNotOverflowTheBound() {
        assertEquals(Optional.empty(), EventTime.violation("occurred_at", Timestamps.fromMillis(NOW), Long.MAX_VALUE, SKEW));
    }
}
