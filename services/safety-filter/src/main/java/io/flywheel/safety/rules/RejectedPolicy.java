package io.flywheel.safety.rules;

/**
 * A policy that is not in force because it failed validation.
 *
 * @param offset the offset of its record on {@code safety.policies}, -1 for the default pack
 */
public record RejectedPolicy(String policyId, String reason, long offset) {}
