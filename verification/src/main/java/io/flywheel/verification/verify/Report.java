package io.flywheel.verification.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The run's report: what was done to the mesh, every check with its counts, and the query probe's findings. */
public final class Report {

    private final Map<String, String> facts = new LinkedHashMap<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> queryLines = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    public Report fact(String name, Object value) {
        facts.put(name, String.valueOf(value));
        return this;
    }

    public Report checks(List<Check> more) {
        checks.addAll(more);
        return this;
    }

    public Report queryOutcome(String line) {
        queryLines.add(line);
        return this;
    }

    /** A line of the chaos timeline. */
    public Report event(String line) {
        events.add(line);
        return this;
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Flywheel verification run: ").append(passed() ? "PASSED" : "FAILED").append("\n\n");
        facts.forEach((k, v) -> out.append(String.format("%-28s %s%n", k, v)));
        out.append("\n## Checks\n\n");
        for (Check check : checks) {
            out.append(check).append('\n');
            for (String example : check.examples) {
                out.append("       ").append(example).append('\n');
            }
        }
        if (!queryLines.isEmpty()) {
            out.append("\n## Queries during the run\n\n");
            queryLines.forEach(line -> out.append(line).append('\n'));
        }
        if (!events.isEmpty()) {
            out.append("\n## Chaos timeline\n\n");
            events.forEach(line -> out.append(line).append('\n'));
        }
        return out.toString();
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }
}
