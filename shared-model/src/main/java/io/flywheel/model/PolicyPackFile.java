package io.flywheel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.flywheel.events.v1.SafetyPolicy;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A policy-pack file, the one format of the safety-filter's built-in pack and of the files
 * operators apply with {@code flywheel-tools policies apply}: YAML (or JSON, which is YAML) with a
 * {@code policies:} list whose entries are {@link SafetyPolicy} in its JSON mapping (field names
 * as in the proto, enums by name; {@code keywords:} may be a plain list). Ids are unique.
 *
 * <p>Lives here, beside the {@code SafetyPolicy} contract, so the CLI can read packs without
 * depending on the safety-filter service.
 *
 * @param policies the policies, in file order
 * @param hash     first 12 hex chars of the SHA-256 of the file bytes
 */
public record PolicyPackFile(List<SafetyPolicy> policies, String hash) {

    public PolicyPackFile {
        policies = List.copyOf(policies);
    }

    /**
     * Parses a pack file.
     *
     * @throws IllegalArgumentException if the file is not a valid pack (the message says where)
     */
    public static PolicyPackFile parse(byte[] content) {
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
        return new PolicyPackFile(out, hash(content));
    }

    /** First 12 hex chars of the SHA-256 of {@code content}. */
    public static String hash(byte[] content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
