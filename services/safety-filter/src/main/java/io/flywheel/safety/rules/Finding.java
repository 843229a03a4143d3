package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyFinding;
import io.flywheel.events.v1.SafetyTarget;
import io.flywheel.events.v1.TextSpan;

/**
 * One match of one rule. {@code target} is PROMPT or RESPONSE (the text the span points into),
 * and the span indexes the ORIGINAL text (UTF-16 chars), not the redacted one.
 */
public record Finding(String policyId, String category, SafetyAction action, SafetyTarget target, Span span,
    int severity) {

  public SafetyFinding toProto() {
    return SafetyFinding.newBuilder()
        .setPolicyId(policyId)
        .setCategory(category)
        .setAction(action)
        .setTarget(target)
        .setSpan(TextSpan.newBuilder().setStart(span.start()).setEnd(span.end()))
        .build();
  }
}
