package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.util.List;

/** Test builders for policies. */
final class Policies {

  private Policies() {}

  static final PolicyCompiler COMPILER = new PolicyCompiler(DetectorSettings.DEFAULTS);

  static SafetyPolicy.Builder base(String id, String category, SafetyAction action, SafetyTarget target) {
    return SafetyPolicy.newBuilder().setId(id).setRevision(1).setEnabled(true).setCategory(category)
        .setAction(action).setTarget(target).setSeverity(5);
  }

  static SafetyPolicy builtin(String id, String name, SafetyAction action, SafetyTarget target) {
    return base(id, name, action, target).setBuiltin(name).build();
  }

  static SafetyPolicy regex(String id, String category, String re, SafetyAction action, SafetyTarget target) {
    return base(id, category, action, target).setRegex(re).build();
  }

  static SafetyPolicy keywords(String id, String category, List<String> words, SafetyAction action,
      SafetyTarget target) {
    return base(id, category, action, target)
        .setKeywords(SafetyPolicy.KeywordList.newBuilder().addAllKeywords(words)).build();
  }

  static CompiledRule compile(SafetyPolicy p) {
    return ((PolicyCompiler.Compiled) COMPILER.compile(p)).rule();
  }

  static PolicySet set(SafetyPolicy... policies) {
    return new PolicySet("test@0", java.util.Arrays.stream(policies).map(Policies::compile).toList(), List.of(),
        List.of());
  }
}
