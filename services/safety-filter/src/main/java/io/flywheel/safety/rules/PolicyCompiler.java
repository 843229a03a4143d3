package io.flywheel.safety.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.util.List;
import java.util.TreeSet;

/**
 * Validates a {@link SafetyPolicy} and builds its detector, or says why it cannot. Never throws
 * on a bad policy: a rejection is a value the caller reports and skips.
 */
public final class PolicyCompiler {

  public static final int MAX_KEYWORDS = 10_000;
  public static final int MAX_KEYWORD_CHARS = 200;
  public static final int MAX_REGEX_CHARS = 2_000;
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final java.util.regex.Pattern CATEGORY = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

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
    if (!ID.matcher(p.getId()).matches()) {
      return new Rejected("id must be 1-128 chars of [A-Za-z0-9._:-], was '" + p.getId() + "'");
    }
    if (!CATEGORY.matcher(p.getCategory()).matches()) {
      return new Rejected("category must be 1-64 chars of [A-Za-z0-9_.-], was '" + p.getCategory() + "'");
    }
    if (p.getAction() == SafetyAction.SAFETY_ACTION_UNSPECIFIED || p.getAction() == SafetyAction.UNRECOGNIZED) {
      return new Rejected("action missing (FLAG, REDACT or BLOCK)");
    }
    if (p.getTarget() == SafetyTarget.SAFETY_TARGET_UNSPECIFIED || p.getTarget() == SafetyTarget.UNRECOGNIZED) {
      return new Rejected("target missing (PROMPT, RESPONSE or BOTH)");
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
        for (String w : words) {
          if (w.length() > MAX_KEYWORD_CHARS) {
            return new Rejected("keyword longer than " + MAX_KEYWORD_CHARS + " chars: '" + w.substring(0, 40) + "...'");
          }
        }
        detector = new KeywordDetector(words);
      }
      case REGEX -> {
        String re = p.getRegex();
        if (re.isEmpty()) {
          return new Rejected("regex is empty");
        }
        if (re.length() > MAX_REGEX_CHARS) {
          return new Rejected("regex longer than " + MAX_REGEX_CHARS + " chars");
        }
        Pattern pattern;
        try {
          pattern = Pattern.compile(re);
        } catch (PatternSyntaxException e) {
          return new Rejected("regex does not compile as RE2: " + e.getMessage());
        } catch (RuntimeException e) {
          return new Rejected("regex does not compile as RE2: " + e);
        }
        if (pattern.matcher("").find()) {
          return new Rejected("regex matches the empty string, so it would match every text");
        }
        detector = new RegexDetector(pattern);
      }
      default -> {
        return new Rejected("no detector (builtin, keywords or regex)");
      }
    }
    return new Compiled(new CompiledRule(p, detector));
  }
}
