package io.flywheel.feedback.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.DriftAlert;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private final DriftDetector detector = new DriftDetector(3, 20, 3.0, 1.0);

    @Test
    void firesOnASignificantDropAndRecoversInsideTheBand() {
        DriftDetector.Comparison drop = detector.compare(40, 60, 270, 30);
        assertTrue(drop.zScore() < -3, "z=" + drop.zScore());
        assertEquals(Optional.of(DriftAlert.State.FIRING), detector.transition(false, drop));
        assertEquals(Optional.empty(), detector.transition(true, drop));

        DriftDetector.Comparison back = detector.compare(88, 12, 270, 30);
        assertEquals(Optional.of(DriftAlert.State.RECOVERED), detector.transition(true, back));
        assertEquals(Optional.empty(), detector.transition(false, back));
    }

    @Test
    void betweenTheThresholdsNothingChanges() {
        DriftDetector.Comparison middle = detector.compare(80, 20, 270, 30);
        assertTrue(middle.zScore() < -1 && middle.zScore() > -3, "z=" + middle.zScore());
        assertEquals(Optional.empty(), detector.transition(false, middle));
        assertEquals(Optional.empty(), detector.transition(true, middle));
    }

    @Test
    void tooFewVotesAreNotJudged() {
        assertEquals(Optional.empty(), detector.transition(false, detector.compare(0, 19, 270, 30)));
        assertEquals(Optional.empty(), detector.transition(false, detector.compare(0, 50, 10, 0)));
    }

    @Test
    void rejectsAnInvertedBand() {
        assertThrows(IllegalArgumentException.class, () -> new DriftDetector(3, 20, 1.0, 2.0));
    }
}
