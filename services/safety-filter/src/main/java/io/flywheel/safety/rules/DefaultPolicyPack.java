package io.flywheel.safety.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.flywheel.events.v1.SafetyPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A policy pack file: YAML (or JSON, which is YAML) with a {@code policies:} list whose entries
 * are {@link SafetyPolicy} in its JSON mapping (field names as in the proto, enums by name;
 * {@code keywords:} may be a plain list). The built-in pack is the classpath resource
 * {@value #RESOURCE}; its hash (first 12 hex chars of the SHA-256 of the file bytes) is the
 * first half of every policy-set revision. The CLI uses {@link #parse} for operator files.
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
   * Parses a pack file.
   *
   * @throws IllegalArgumentException if the file is not a valid pack (message says where)
   */
  public static DefaultPolicyPack parse(byte[] content) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(content);
    } catch (IOException e) {
      throw new IllegalArgumentException("policy pack is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("policies").isArray()) {
      throw new IllegalArgumentException("policy pack needs a top-level 'policies:' list");
    }
    List<SafetyPolicy> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int index = 0;
    for (JsonNode node : root.get("policies")) {
      if (!node.isObject()) {
        throw new IllegalArgumentException("policies[" + index + "] is not a mapping");
      }
      ObjectNode obj = ((ObjectNode) node).deepCopy();
      if (obj.path("keywords").isArray()) {
        ObjectNode list = JsonNodeFactory.instance.objectNode();
        list.set("keywords", (ArrayNode) obj.get("keywords"));
        obj.set("keywords", list);
      }
      SafetyPolicy.Builder b = SafetyPolicy.newBuilder();
      try {
        JsonFormat.parser().merge(obj.toString(), b);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("policies[" + index + "]: " + e.getMessage(), e);
      }
      if (!ids.add(b.getId())) {
        throw new IllegalArgumentException("policies[" + index + "]: duplicate id '" + b.getId() + "'");
      }
      out.add(b.build());
      index++;
    }
    return new DefaultPolicyPack(out, hash(content));
  }

  static String hash(byte[] content) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
      return HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public List<SafetyPolicy> policies() {
    return policies;
  }

  /** First 12 hex chars of the SHA-256 of the pack file. */
  public String hash() {
    return hash;
  }
}
