package io.flywheel.safety.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/** Test data: completions and policies. */
final class Completions {

    static final ModelRef MODEL = ModelRef.newBuilder().setName("gpt-test").setVersion("v1").build();

    private Completions() {
    }

    static Completion completion(String completionId, String conversationId, String userId, Instant createdAt,
                                 String prompt, String response) {
        return Completion.newBuilder()
                .setCompletionId(completionId)
                .setConversationId(conversationId)
                .setUserId(userId)
                .setModel(MODEL)
                .setPromptVersion("p1")
                .setPromptText(prompt)
                .setResponseText(response)
                .setCreatedAt(Timestamps.fromMillis(createdAt.toEpochMilli()))
                .build();
    }

    /** A PEM private-key block with a plausible DER body (what the private_key detector validates). */
    static String privateKey(long seed) {
        byte[] der = new byte[200];
        new Random(seed).nextBytes(der);
        der[0] = 0x30;
        der[1] = (byte) 0x82;
        der[2] = (byte) ((der.length - 4) >> 8);
        der[3] = (byte) (der.length - 4);
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END PRIVATE KEY-----";
    }

    static SafetyPolicy keywords(String id, String category, List<String> words, SafetyAction action, int severity) {
        return SafetyPolicy.newBuilder().setId(id).setRevision(1).setEnabled(true).setCategory(category)
                .setTarget(SafetyTarget.BOTH).setAction(action).setSeverity(severity)
                .setKeywords(SafetyPolicy.KeywordList.newBuilder().addAllKeywords(words)).build();
    }

    static SafetyPolicy regex(String id, String category, String regex, SafetyAction action, int severity) {
        return SafetyPolicy.newBuilder().setId(id).setRevision(1).setEnabled(true).setCategory(category)
                .setTarget(SafetyTarget.BOTH).setAction(action).setSeverity(severity).setRegex(regex).build();
    }
}
