package io.flywheel.safety.bench;

import com.google.re2j.Pattern;
import io.flywheel.safety.rules.RegexDetector;
import io.flywheel.safety.rules.Span;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The nested-quantifier pattern {@code (a+)+$} on 25/50/100 KiB of 'a' ending in '!' (no match):
 * exponential for a backtracking engine, linear for RE2/J.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PathologicalRegexBenchmark {

  @Param({"25600", "51200", "102400"})
  public int chars;

  RegexDetector detector;
  String input;

  @Setup
  public void setup() {
    detector = new RegexDetector(Pattern.compile("(a+)+$"));
    input = "a".repeat(chars - 1) + "!";
  }

  @Benchmark
  public List<Span> nestedQuantifiers() {
    return detector.find(input);
  }
}
