package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import io.flywheel.events.v1.SafetyVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The compiled, immutable policy set of one revision ({@code <default-pack hash>@<offset>}).
 * Built once per revision by {@link PolicyCatalog}; {@link #screen} is thread-safe and does no
 * compilation.
 */
public final class PolicySet {

  private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::span)
      .thenComparing(Finding::policyId);

  private final String revision;
  private final List<CompiledRule> rules;
  private final List<CompiledRule> promptRules;
  private final List<CompiledRule> responseRules;
  private final List<RejectedPolicy> skipped;
  private final List<SafetyPolicy> disabled;
  private final List<RejectedPolicy> pending;

  public PolicySet(String revision, List<CompiledRule> rules, List<RejectedPolicy> skipped,
      List<SafetyPolicy> disabled) {
    this(revision, rules, skipped, disabled, List.of());
  }

  public PolicySet(String revision, List<CompiledRule> rules, List<RejectedPolicy> skipped,
      List<SafetyPolicy> disabled, List<RejectedPolicy> pending) {
    this.revision = revision;
    this.rules = List.copyOf(rules);
    this.promptRules = rules.stream().filter(CompiledRule::screensPrompt).toList();
    this.responseRules = rules.stream().filter(CompiledRule::screensResponse).toList();
    this.skipped = List.copyOf(skipped);
    this.disabled = List.copyOf(disabled);
    this.pending = List.copyOf(pending);
  }

  public String revision() {
    return revision;
  }

  /** The rules in force, default-pack order first, then topic-only policies by id. */
  public List<CompiledRule> rules() {
    return rules;
  }

  public List<SafetyPolicy> activePolicies() {
    return rules.stream().map(CompiledRule::policy).toList();
  }

  /** Policies that failed validation, with the reason; not in force. */
  public List<RejectedPolicy> skipped() {
    return skipped;
  }

  /** Policies switched off with {@code enabled=false}. */
  public List<SafetyPolicy> disabled() {
    return disabled;
  }

  /**
   * Stored records not read yet because the schema registry could not be reached, oldest first,
   * with the last failure as the reason. Their ids keep what was in force before them.
   */
  public List<RejectedPolicy> pending() {
    return pending;
  }

  /** True while any stored policy record is unread: the set is the last one that could be read. */
  public boolean degraded() {
    return !pending.isEmpty();
  }

  /**
   * Screens one completion. Null texts count as empty. Spans in the findings index the
   * original texts.
   */
  public Screening screen(String promptText, String responseText) {
    String prompt = promptText == null ? "" : promptText;
    String response = responseText == null ? "" : responseText;
    List<Finding> promptFindings = run(promptRules, prompt, SafetyTarget.PROMPT);
    List<Finding> responseFindings = run(responseRules, response, SafetyTarget.RESPONSE);
    List<Finding> all = new ArrayList<>(promptFindings.size() + responseFindings.size());
    all.addAll(promptFindings);
    all.addAll(responseFindings);
    SafetyAction strongest = SafetyAction.SAFETY_ACTION_UNSPECIFIED;
    for (Finding f : all) {
      if (f.action().getNumber() > strongest.getNumber()) {
        strongest = f.action();
      }
    }
    String redactedPrompt = Redactor.redact(prompt, Redactor.redactions(promptFindings));
    String redactedResponse = Redactor.redact(response, Redactor.redactions(responseFindings));
    return new Screening(decisionOf(strongest), List.copyOf(all), redactedPrompt, redactedResponse);
  }

  static SafetyVerdict.Decision decisionOf(SafetyAction strongest) {
    return switch (strongest) {
      case BLOCK -> SafetyVerdict.Decision.BLOCK;
      case REDACT -> SafetyVerdict.Decision.REDACT;
      case FLAG -> SafetyVerdict.Decision.FLAG;
      default -> SafetyVerdict.Decision.ALLOW;
    };
  }

  private static List<Finding> run(List<CompiledRule> rules, String text, SafetyTarget target) {
    if (text.isEmpty() || rules.isEmpty()) {
      return List.of();
    }
    List<Finding> out = new ArrayList<>();
    for (CompiledRule r : rules) {
      for (Span s : r.detector().find(text)) {
        out.add(new Finding(r.policyId(), r.category(), r.action(), target, s, r.severity()));
      }
    }
    out.sort(ORDER);
    return out;
  }
}
