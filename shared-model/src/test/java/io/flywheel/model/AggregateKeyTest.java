package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AggregateKeyTest {

    /** Any text a valid event can carry: ids and names decode from UTF-8, so no lone surrogates. */
    private static String part(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            int codePoint = random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x10FFFF);
            if (codePoint < 0xD800 || codePoint > 0xDFFF) {
                text.appendCodePoint(codePoint);
            }
        }
        return text.toString();
    }

    @Test
    void everyKeyRoundTripsThroughItsText() {
        Random random = new Random();
        for (int i = 0; i < 2_000; i++) {
            AggregateKey allTime = AggregateKey.allTime(part(random), part(random), part(random));
            assertEquals(allTime, AggregateKey.decode(allTime.encode()));
            AggregateKey bucket = allTime.bucket(Instant.ofEpochSecond(Math.floorMod(random.nextLong(), 253402300800L)));
            assertEquals(bucket, AggregateKey.decode(bucket.encode()));
            assertEquals(allTime, bucket.modelKey());
            assertTrue(bucket.encode().startsWith(allTime.encode() + "@"), "keys of one model sort together");
        }
    }

    @Test
    void textThatIsNotAKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AggregateKey.decode("a/b"));
        assertThrows(IllegalArgumentException.class, () -> AggregateKey.decode("a/b/c/d"));
        assertEquals(Optional.of(Instant.parse("2026-11-26T05:00:00Z")),
                AggregateKey.decode("gpt-4o/2024-08-06/checkout-v3@2026-11-26T05:00:00Z").bucketStart());
    }
}
