package io.flywheel.verification.bench.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A process's peak resident set ({@code VmHWM} in {@code /proc/<pid>/status}): what the kernel had to give it at most. */
final class PeakMemory {

    private PeakMemory() {
    }

    /** The peak resident set of a live process, in bytes; empty when the process or the field is gone. */
    static OptionalLong of(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException gone) {
            return OptionalLong.empty();
        }
    }

    /** {@code VmHWM:    123456 kB} of a {@code /proc/<pid>/status} text, in bytes. */
    static OptionalLong parse(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected VmHWM line: " + line);
                }
                return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
            }
        }
        return OptionalLong.empty();
    }
}
