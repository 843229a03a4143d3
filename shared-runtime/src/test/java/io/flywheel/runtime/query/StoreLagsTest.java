package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StoreLagsTest {

    @Test
    void aReadingIsKeptUntilTheNextOneAndSurvivesAFailedRefresh() {
        AtomicReference<Map<String, Map<Integer, Long>>> source = new AtomicReference<>(Map.of("aggregates", Map.of(3, 12L)));
        StoreLags lags = new StoreLags(() -> {
            Map<String, Map<Integer, Long>> reading = source.get();
            if (reading == null) {
                throw new IllegalStateException("broker unreachable");
            }
            return reading;
        }, 1_000);

        assertEquals(OptionalLong.empty(), lags.lagOf("aggregates", 3), "nothing is known before the first reading");
        lags.refresh();
        assertEquals(OptionalLong.of(12), lags.lagOf("aggregates", 3));
        assertEquals(OptionalLong.empty(), lags.lagOf("aggregates", 4), "a partition not hosted here has no lag");

        source.set(null);
        lags.refresh();
        assertEquals(OptionalLong.of(12), lags.lagOf("aggregates", 3));

        Map<String, Map<Integer, Long>> later = new HashMap<>();
        later.put("aggregates", Map.of(3, 0L));
        source.set(later);
        lags.refresh();
        assertEquals(OptionalLong.of(0), lags.lagOf("aggregates", 3));
    }
}
