package io.flywheel.tools;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table for people: columns as wide as their widest cell, numbers right-aligned. */
final class Table {

    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header;
    }

    Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("expected " + header.length + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    List<String> lines() {
        int[] width = new int[header.length];
        boolean[] numeric = new boolean[header.length];
        Arrays.fill(numeric, true);
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
        }
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
                numeric[c] &= row[c].matches("[-+]?[0-9][0-9.,%]*|-");
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(format(header, width, numeric));
        rows.forEach(row -> lines.add(format(row, width, numeric)));
        return lines;
    }

    void print(PrintWriter out) {
        lines().forEach(out::println);
    }

    private static String format(String[] cells, int[] width, boolean[] rightAligned) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c];
            String pad = " ".repeat(width[c] - cell.length());
            line.append(c == 0 ? "" : "  ").append(rightAligned[c] ? pad + cell : c == cells.length - 1 ? cell : cell + pad);
        }
        return line.toString();
    }
}
