package io.flywheel.safety.rules;

import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.model.PolicyPackFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The built-in policy pack, a {@link PolicyPackFile} (YAML with a {@code policies:} list of
 * {@link SafetyPolicy} in its JSON mapping). The built-in pack is the classpath resource
 * {@value #RESOURCE}; its hash (first 12 hex chars of the SHA-256 of the file bytes) is the
 * first half of every policy-set revision. The CLI reads operator files with the same parser.
 */
public final class DefaultPolicyPack {

  public static final String RESOURCE = "default-policy-pack.yaml";

  private final List<SafetyPolicy> policies;
  private final String hash;

  private DefaultPolicyPack(List<SafetyPolicy> policies, String hash) {
    this.policies = List.copyOf(policies);
    this.hash = hash;
  }

  /** Loads the built-in pack; a broken built-in pack is a build error, so this throws. */
  public static DefaultPolicyPack load() {
    try (InputStream in = DefaultPolicyPack.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing");
      }
      return parse(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses a pack file (the format is {@link PolicyPackFile}'s, shared with the CLI).
   *
   * @throws IllegalArgumentException if the file is not a valid pack (message says where)
   */
  public static DefaultPolicyPack parse(byte[] content) {
    PolicyPackFile file = PolicyPackFile.parse(content);
    return new DefaultPolicyPack(file.policies(), file.hash());
  }

  static String hash(byte[] content) {
    return PolicyPackFile.hash(content);
  }

  public List<SafetyPolicy> policies() {
    return policies;
  }

  /** First 12 hex chars of the SHA-256 of the pack file. */
  public String hash() {
    return hash;
  }
}
