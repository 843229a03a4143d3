package io.flywheel.verification.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one benchmark run: {@code benchmarks.json} (one object per figure) and a generated
 * section of {@code benchmarks.md}, between two marker lines, so the hand-written sections around it stay.
 */
public final class BenchReport {

    static final String BEGIN = "<!-- bench:begin (written by the bench command; edits inside are overwritten) -->";
    static final String END = "<!-- bench:end -->";

    private final String command;
    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> remarks = new ArrayList<>();

    public BenchReport(String command) {
        this.command = command;
        machine.put("date", Instant.now().toString());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    public synchronized void add(Figure figure) {
        figures.add(figure);
        System.out.println(line(figure));
    }

    public synchronized void addAll(List<Figure> more) {
        more.forEach(this::add);
    }

    /** A sentence printed under the table, e.g. what a figure does not cover. */
    public synchronized void remark(String remark) {
        remarks.add(remark);
    }

    public synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** Writes {@code benchmarks.json} and replaces the generated section of {@code benchmarks.md} in {@code dir}. */
    public synchronized void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("machine", machine);
        json.put("figures", figures);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("benchmarks.json").toFile(), json);

        Path markdown = dir.resolve("benchmarks.md");
        String existing = Files.exists(markdown) ? Files.readString(markdown) : "# Benchmarks\n";
        int begin = existing.indexOf(BEGIN);
        int end = existing.indexOf(END);
        String section = section();
        String updated = begin >= 0 && end > begin
                ? existing.substring(0, begin) + section + existing.substring(end + END.length())
                : existing.stripTrailing() + "\n\n" + section + "\n";
        Files.writeString(markdown, updated, StandardCharsets.UTF_8);
    }

    private String section() {
        StringBuilder md = new StringBuilder(BEGIN).append("\n\n## The benchmark run (all figures of one run)\n\n    ")
                .append(command).append("\n\n")
                .append("Run ").append(machine.get("date")).append(", ").append(machine.get("cores")).append(" cores, ")
                .append(machine.get("java")).append(". Ratios are against a baseline measured in the same run; ")
                .append("the same figures are in `benchmarks.json`.\n\n")
                .append("| figure | value | unit | baseline | ratio |\n|---|---:|---|---|---:|\n");
        for (Figure figure : figures) {
            md.append("| ").append(figure.name()).append(" | ").append(format(figure.value())).append(" | ").append(figure.unit())
                    .append(" | ").append(figure.baseline() == null ? "" : figure.baseline())
                    .append(" | ").append(figure.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", figure.ratio())).append(" |\n");
        }
        remarks.forEach(remark -> md.append("\n").append(remark).append("\n"));
        return md.append("\n").append(END).toString();
    }

    private static String line(Figure figure) {
        return String.format(Locale.ROOT, "%-60s %14s %s%s", figure.name(), format(figure.value()), figure.unit(),
                figure.ratio() == null ? "" : String.format(Locale.ROOT, "  (%.2f x %s)", figure.ratio(), figure.baseline()));
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
