package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;

/** A validated policy with its detector built: what the engine runs per record. */
public record CompiledRule(SafetyPolicy policy, Detector detector) {

  public String policyId() {
    return policy.getId();
  }

  public String category() {
    return policy.getCategory();
  }

  public SafetyAction action() {
    return policy.getAction();
  }

  public SafetyTarget target() {
    return policy.getTarget();
  }

  public int severity() {
    return policy.getSeverity();
  }

  boolean screensPrompt() {
    return target() == SafetyTarget.PROMPT || target() == SafetyTarget.BOTH;
  }

  boolean screensResponse() {
    return target() == SafetyTarget.RESPONSE || target() == SafetyTarget.BOTH;
  }
}
