package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AggregateKeyTest {

    /** Any text a valid event can carry: ids and names decode from UTF-8, so no lone surrogates. */
    @Provide
    Arbitrary<String> part() {
        return Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF));
    }

    @Property(tries = 500)
    void everyKeyRoundTripsThroughItsText(@ForAll("part") String name, @ForAll("part") String version,
                                          @ForAll("part") String prompt,
                                          @ForAll @LongRange(min = 0, max = 253402300799L) long bucketSeconds) {
        AggregateKey allTime = AggregateKey.allTime(name, version, prompt);
        assertEquals(allTime, AggregateKey.decode(allTime.encode()));
        AggregateKey bucket = allTime.bucket(Instant.ofEpochSecond(bucketSeconds));
        assertEquals(bucket, AggregateKey.decode(bucket.encode()));
        assertEquals(allTime, bucket.modelKey());
        assertTrue(bucket.encode().startsWith(allTime.encode() + "@"), "keys of one model sort together");
    }

    @Test
    void textThatIsNotAKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AggregateKey.decode("a/b"));
        assertThrows(IllegalArgumentException.class, () -> AggregateKey.decode("a/b/c/d"));
        assertEquals(Optional.of(Instant.parse("2026-11-26T05:00:00Z")),
                AggregateKey.decode("gpt-4o/2024-08-06/checkout-v3@2026-11-26T05:00:00Z").bucketStart());
    }
}
