package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StratumKeyTest {

    @Test
    void textRoundTrips() {
        for (StratumKey key : List.of(StratumKey.ofModel("gpt-4o"), StratumKey.of("gpt-4o", "de-CH"),
                StratumKey.of("a/b c", "x/y"), StratumKey.of("m", ""))) {
            assertEquals(key, StratumKey.decode(key.encode()), key::encode);
        }
        assertEquals("gpt-4o/de-CH", StratumKey.of("gpt-4o", "de-CH").encode());
        assertEquals("a%2Fb+c/x%2Fy", StratumKey.of("a/b c", "x/y").encode());
        assertEquals("m/und", StratumKey.of("m", "").encode());
        assertEquals(StratumKey.ofModel("gpt-4o"), StratumKey.of("gpt-4o", "en").modelOnly());
    }

    @Test
    void strataOfOneModelSortTogether() {
        assertTrue(StratumKey.ofModel("a").compareTo(StratumKey.of("a", "en")) < 0);
        assertTrue(StratumKey.of("a", "zz").compareTo(StratumKey.ofModel("b")) < 0);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new StratumKey(" ", Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> StratumKey.decode("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> StratumKey.decode(""));
    }
}
