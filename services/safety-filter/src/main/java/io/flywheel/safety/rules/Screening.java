package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyFinding;
import io.flywheel.events.v1.SafetyVerdict;
import java.util.List;

/**
 * The result of screening one completion.
 *
 * @param decision the strongest action among the findings (BLOCK > REDACT > FLAG), ALLOW if none
 * @param findings every finding, prompt findings first, each text's sorted by span then policy id
 * @param redactedPrompt the prompt with REDACT spans replaced (the original if none)
 * @param redactedResponse the response with REDACT spans replaced (the original if none)
 */
public record Screening(SafetyVerdict.Decision decision, List<Finding> findings, String redactedPrompt,
    String redactedResponse) {

  public List<SafetyFinding> findingsProto() {
    return findings.stream().map(Finding::toProto).toList();
  }
}
