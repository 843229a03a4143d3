package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PeakMemoryTest {

    private static final String STATUS = String.join("\n",
            "Name:\tjava", "Umask:\t0022", "State:\tS (sleeping)", "Pid:\t4242",
            "VmPeak:\t 5123456 kB", "VmSize:\t 5023456 kB", "VmLck:\t       0 kB",
            "VmHWM:\t  312576 kB", "VmRSS:\t  298000 kB", "Threads:\t57", "");

    @Test
    void readsThePeakResidentSetInBytes() {
        assertEquals(OptionalLong.of(312_576L * 1024), PeakMemory.parse(STATUS));
    }

    @Test
    void doesNotTakeThePeakVirtualSizeOrTheCurrentResidentSet() {
        assertEquals(OptionalLong.of(1024), PeakMemory.parse("VmPeak:\t 9 kB\nVmRSS:\t 5 kB\nVmHWM:\t 1 kB\n"));
    }

    @Test
    void isEmptyWithoutTheField() {
        assertEquals(OptionalLong.empty(), PeakMemory.parse("Name:\tkthreadd\nState:\tS (sleeping)\n"));
    }

    @Test
    void rejectsAnotherUnit() {
        assertThrows(IllegalArgumentException.class, () -> PeakMemory.parse("VmHWM:\t 12 MB\n"));
    }

    @Test
    void readsThisProcess() {
        OptionalLong own = PeakMemory.of(ProcessHandle.current().pid());
        assertTrue(own.isPresent() && own.getAsLong() > 0, "a running JVM has a resident set: " + own);
    }

    @Test
    void isEmptyForAProcessThatDoesNotExist() {
        assertEquals(OptionalLong.empty(), PeakMemory.of(Long.MAX_VALUE));
    }
}
