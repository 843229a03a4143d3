package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.SafetyPolicyContract;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The merge of the default pack with the records of {@code safety.policies}, applied one record
 * at a time in offset order (what the global store processor sees):
 *
 * <ul>
 *   <li>a record whose id is a default policy's overrides it; {@code enabled=false} switches it
 *       off (such a record needs nothing but its id);
 *   <li>a tombstone removes the override (the default comes back) or deletes a topic-only policy;
 *   <li>a record that fails validation is skipped and reported with its offset and reason; if it
 *       overrides a default, the default stays in force — a typo never removes protection;
 *   <li>a record that breaks {@link SafetyPolicyContract} (a value id that differs from its key,
 *       an id or category out of shape, no action, target or detector; an empty value id takes the
 *       key) is skipped the same way: the intake check dead-letters exactly these records.
 * </ul>
 *
 * <p>Each policy is compiled once, when its record arrives; {@link #apply} then assembles a new
 * immutable {@link PolicySet} from the compiled rules. Not thread-safe: one owner (the global
 * store processor) applies records; the returned sets are immutable and may be shared.
 */
public final class PolicyCatalog {

  private record Entry(SafetyPolicy policy, PolicyCompiler.Result result, long offset) {}

  private final String packHash;
  private final PolicyCompiler compiler;
  private final Map<String, Entry> defaults = new LinkedHashMap<>();
  private final Map<String, Entry> overrides = new TreeMap<>();
  private final Map<String, RejectedPolicy> pending = new TreeMap<>();
  private long lastOffset = -1;
  private PolicySet current;

  public PolicyCatalog(DefaultPolicyPack pack, PolicyCompiler compiler) {
    this.packHash = pack.hash();
    this.compiler = compiler;
    for (SafetyPolicy p : pack.policies()) {
      defaults.put(p.getId(), entry(p, -1));
    }
    this.current = build();
  }

  /** The set in force after the last applied record (the default pack before any). */
  public PolicySet current() {
    return current;
  }

  /**
   * Applies one record of {@code safety.policies}.
   *
   * @param policyId the record key
   * @param policyOrNull the record value, null for a tombstone
   * @param offset the record offset
   * @return the new policy set (also {@link #current()})
   */
  public PolicySet apply(String policyId, SafetyPolicy policyOrNull, long offset) {
    Objects.requireNonNull(policyId, "policyId");
    clearPending(policyId, offset);
    Optional<String> violation = SafetyPolicyContract.violation(policyId, policyOrNull);
    SafetyPolicy p = policyOrNull == null || !policyOrNull.getId().isEmpty() ? policyOrNull
        : policyOrNull.toBuilder().setId(policyId).build();
    if (violation.isPresent()) {
      // Reported under the record key: the id whose override slot the record took.
      overrides.put(policyId, new Entry((p == null ? SafetyPolicy.newBuilder() : p.toBuilder()).setId(policyId).build(),
          new PolicyCompiler.Rejected(violation.get()), offset));
    } else if (p == null) {
      overrides.remove(policyId);
    } else {
      overrides.put(policyId, entry(p, offset));
    }
    lastOffset = Math.max(lastOffset, offset);
    current = build();
    return current;
  }

  /**
   * Records a record of {@code safety.policies} that could not be read as a policy at all
   * (undecodable bytes, no key). It is skipped and reported like an invalid policy, and like one
   * it replaces an earlier record of the same id but never removes a default.
   */
  public PolicySet reject(String policyId, String reason, long offset) {
    Objects.requireNonNull(policyId, "policyId");
    clearPending(policyId, offset);
    overrides.put(policyId, new Entry(SafetyPolicy.newBuilder().setId(policyId).build(),
        new PolicyCompiler.Rejected(reason), offset));
    lastOffset = Math.max(lastOffset, offset);
    current = build();
    return current;
  }

  /**
   * Records a record of {@code safety.policies} that cannot be read yet (the schema registry is
   * unreachable). Whatever was in force for its id stays in force; the set lists it as pending
   * (and is degraded) until a later {@link #apply} or {@link #reject} of that id, at this offset
   * or later, settles it.
   */
  public PolicySet pending(String policyId, String reason, long offset) {
    Objects.requireNonNull(policyId, "policyId");
    pending.put(policyId, new RejectedPolicy(policyId, reason, offset));
    current = build();
    return current;
  }

  private void clearPending(String policyId, long offset) {
    RejectedPolicy waiting = pending.get(policyId);
    if (waiting != null && waiting.offset() <= offset) {
      pending.remove(policyId);
    }
  }

  public String revision() {
    return current.revision();
  }

  private Entry entry(SafetyPolicy p, long offset) {
    // A disabled policy is not compiled: {id, enabled: false} is enough to switch a default off.
    return new Entry(p, p.getEnabled() ? compiler.compile(p) : null, offset);
  }

  private PolicySet build() {
    List<CompiledRule> rules = new ArrayList<>();
    List<RejectedPolicy> skipped = new ArrayList<>();
    List<SafetyPolicy> disabled = new ArrayList<>();
    for (Map.Entry<String, Entry> d : defaults.entrySet()) {
      Entry override = overrides.get(d.getKey());
      if (override != null && !place(override, rules, skipped, disabled)) {
        place(d.getValue(), rules, skipped, disabled); // invalid override: the default stays
      } else if (override == null) {
        place(d.getValue(), rules, skipped, disabled);
      }
    }
    for (Map.Entry<String, Entry> o : overrides.entrySet()) {
      if (!defaults.containsKey(o.getKey())) {
        place(o.getValue(), rules, skipped, disabled);
      }
    }
    String revision = packHash + "@" + (lastOffset < 0 ? "none" : Long.toString(lastOffset));
    List<RejectedPolicy> unread = pending.values().stream().sorted(Comparator.comparingLong(RejectedPolicy::offset)).toList();
    return new PolicySet(revision, rules, skipped, disabled, unread);
  }

  /** Adds the entry to the list it belongs to; false if it was rejected. */
  private static boolean place(Entry e, List<CompiledRule> rules, List<RejectedPolicy> skipped,
      List<SafetyPolicy> disabled) {
    if (e.result() == null) {
      disabled.add(e.policy());
      return true;
    }
    if (e.result() instanceof PolicyCompiler.Compiled c) {
      rules.add(c.rule());
      return true;
    }
    skipped.add(new RejectedPolicy(e.policy().getId(), ((PolicyCompiler.Rejected) e.result()).reason(), e.offset()));
    return false;
  }
}
