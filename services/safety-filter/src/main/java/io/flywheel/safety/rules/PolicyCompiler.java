package io.flywheel.safety.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.SafetyPolicyContract;
import java.util.List;
import java.util.TreeSet;

/**
 * Validates a {@link SafetyPolicy} and builds its detector, or says why it cannot. Never throws
 * on a bad policy: a rejection is a value the caller reports and skips. The record's shape is
 * checked by {@link SafetyPolicyContract} first; what follows (builtin names, RE2 syntax, size
 * and cost limits) is this compiler's refusal.
 */
public final class PolicyCompiler {

  public static final int MAX_KEYWORDS = 10_000;
  public static final int MAX_KEYWORD_CHARS = 200;
  public static final int MAX_REGEX_CHARS = 2_000;
  /** All keywords of one list together: bounds the automaton's memory (about one state per char). */
  public static final int MAX_KEYWORD_LIST_CHARS = 200_000;
  /** Counted repetitions multiply when nested ((a{100}){100} is 10,000 copies): bounds the RE2 program. */
  public static final int MAX_REGEX_REPETITION = 1_000;

  /** The outcome of compiling one policy: exactly one of rule and rejection is present. */
  public sealed interface Result permits Compiled, Rejected {}

  public record Compiled(CompiledRule rule) implements Result {}

  public record Rejected(String reason) implements Result {}

  private final BuiltinDetectors builtins;

  public PolicyCompiler(DetectorSettings settings) {
    this(new BuiltinDetectors(settings));
  }

  public PolicyCompiler(BuiltinDetectors builtins) {
    this.builtins = builtins;
  }

  public Result compile(SafetyPolicy p) {
    var violation = SafetyPolicyContract.idViolation(p.getId()).or(() -> SafetyPolicyContract.definitionViolation(p));
    if (violation.isPresent()) {
      return new Rejected(violation.get());
    }
    Detector detector;
    switch (p.getDetectorCase()) {
      case BUILTIN -> {
        var d = builtins.byName(p.getBuiltin());
        if (d.isEmpty()) {
          return new Rejected("unknown builtin detector '" + p.getBuiltin() + "' (known: "
              + String.join(", ", new TreeSet<>(builtins.names())) + ")");
        }
        detector = d.get();
      }
      case KEYWORDS -> {
        List<String> words = p.getKeywords().getKeywordsList();
        if (words.stream().allMatch(String::isBlank)) {
          return new Rejected("keyword list is empty");
        }
        if (words.size() > MAX_KEYWORDS) {
          return new Rejected("keyword list has " + words.size() + " entries, at most " + MAX_KEYWORDS);
        }
        long total = 0;
        for (String w : words) {
          if (w.length() > MAX_KEYWORD_CHARS) {
            return new Rejected("keyword longer than " + MAX_KEYWORD_CHARS + " chars: '" + w.substring(0, 40) + "...'");
          }
          total += w.length();
        }
        if (total > MAX_KEYWORD_LIST_CHARS) {
          return new Rejected("keyword list has " + total + " chars in all, at most " + MAX_KEYWORD_LIST_CHARS
              + " (the automaton's memory grows with it)");
        }
        try {
          detector = new KeywordDetector(words);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
          return new Rejected("keyword list could not be compiled: " + e);
        }
      }
      case REGEX -> {
        String re = p.getRegex();
        if (re.isEmpty()) {
          return new Rejected("regex is empty");
        }
        if (re.length() > MAX_REGEX_CHARS) {
          return new Rejected("regex longer than " + MAX_REGEX_CHARS + " chars");
        }
        long repetition = nestedRepetition(re);
        if (repetition > MAX_REGEX_REPETITION) {
          return new Rejected("regex repeats up to " + repetition + " times through nested counted repetitions, at most "
              + MAX_REGEX_REPETITION);
        }
        Pattern pattern;
        try {
          pattern = Pattern.compile(re);
        } catch (PatternSyntaxException e) {
          return new Rejected("regex does not compile as RE2: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
          return new Rejected("regex does not compile as RE2: " + e);
        }
        if (pattern.matcher("").find()) {
          return new Rejected("regex matches the empty string, so it would match every text");
        }
        detector = new RegexDetector(pattern);
      }
      default -> throw new IllegalStateException("the contract requires a detector");
    }
    return new Compiled(new CompiledRule(p, detector));
  }

  /**
   * The largest product of counted repetition bounds ({n}, {n,m}, {n,}) along one nesting path
   * of groups: an upper bound on how often RE2 copies one atom into its program.
   */
  static long nestedRepetition(String re) {
    java.util.ArrayDeque<long[]> frames = new java.util.ArrayDeque<>();
    long[] frame = {1, 1}; // {largest factor in this group so far, factor of its last atom}
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '(') {
        frames.push(frame);
        frame = new long[] {1, 1};
      } else if (c == ')' && !frames.isEmpty()) {
        long inner = frame[0];
        frame = frames.pop();
        frame[1] = inner;
        frame[0] = Math.max(frame[0], inner);
      } else if (c == '{' && REPEAT.matcher(re).region(i, re.length()).lookingAt()) {
        java.util.regex.Matcher bound = REPEAT.matcher(re).region(i, re.length());
        bound.lookingAt();
        String upper = bound.group(2) == null || bound.group(2).isEmpty() ? bound.group(1) : bound.group(2);
        frame[1] = Math.min(1L << 40, frame[1] * Math.max(1, Math.min(1 << 20, Long.parseLong(upper))));
        frame[0] = Math.max(frame[0], frame[1]);
        i = bound.end() - 1;
      } else {
        if (c == '\\') {
          i++;
        } else if (c == '[') {
          int close = re.indexOf(']', i + 2);
          i = close < 0 ? re.length() : close;
        }
        frame[1] = 1;
      }
    }
    while (!frames.isEmpty()) {
      long inner = frame[0];
      frame = frames.pop();
      frame[0] = Math.max(frame[0], inner);
    }
    return frame[0];
  }

  private static final java.util.regex.Pattern REPEAT = java.util.regex.Pattern.compile("\\{(\\d{1,9})(?:,(\\d{0,9}))?}");
}
