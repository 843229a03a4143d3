package io.flywheel.verification.verify;

import java.util.ArrayList;
import java.util.List;

/** One check of the verifier: how many outputs were expected, and every way they differed. */
public final class Check {

    private static final int EXAMPLES = 5;

    public final String name;
    long expected;
    long matched;
    long lost;
    long duplicated;
    long wrong;
    long unexpected;
    final List<String> examples = new ArrayList<>();

    Check(String name) {
        this.name = name;
    }

    /** A check of the run itself (it drained, the chaos driver did its work): one expected outcome. */
    public static Check ofRun(String name, String failure) {
        Check check = new Check(name);
        check.expected = 1;
        if (failure == null) {
            check.matched = 1;
        } else {
            check.wrong(failure);
        }
        return check;
    }

    public boolean passed() {
        return lost == 0 && duplicated == 0 && wrong == 0 && unexpected == 0;
    }

    public long expected() {
        return expected;
    }

    public long matched() {
        return matched;
    }

    public long lost() {
        return lost;
    }

    public long duplicated() {
        return duplicated;
    }

    public long wrong() {
        return wrong;
    }

    public long unexpected() {
        return unexpected;
    }

    public List<String> examples() {
        return List.copyOf(examples);
    }

    void lost(String what) {
        lost++;
        example("lost: " + what);
    }

    void duplicated(String what, long extra) {
        duplicated += extra;
        example("duplicated x" + (extra + 1) + ": " + what);
    }

    void wrong(String what) {
        wrong++;
        example("wrong: " + what);
    }

    void unexpected(String what) {
        unexpected++;
        example("unexpected: " + what);
    }

    private void example(String text) {
        if (examples.size() < EXAMPLES) {
            examples.add(text);
        }
    }

    @Override
    public String toString() {
        return String.format("%-4s %-44s expected %9d  ok %9d  lost %d  dup %d  wrong %d  unexpected %d",
                passed() ? "PASS" : "FAIL", name, expected, matched, lost, duplicated, wrong, unexpected);
    }
}
