package io.flywheel.sampler.sampling;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The deterministic id of a sample: the same completion sampled for the same reason always gets
 * the same id, so a re-delivered sample (a replay, a retried transaction) is recognisable, while
 * the same completion sampled for a second reason (say BASELINE, then NEGATIVE_FEEDBACK) is a
 * second sample with its own id.
 *
 * <p>Definition (32 lower-case hex digits):
 * <pre>
 *   hex( SHA-256( "flywheel.eval-sample.v1" || 0x00 || reason name || 0x00
 *                 || u32be(len) || UTF-8(conversation_id) || u32be(len) || UTF-8(completion_id) )[0..16] )
 * </pre>
 * where {@code reason name} is the {@link SampleReason} constant's name in ASCII and each length
 * is the byte length of the UTF-8 text that follows it, so no pair of ids can collide by
 * concatenation. The salt is not part of it: the id names what was sampled, not how.
 */
public final class SampleId {

    private static final byte[] DOMAIN = "flywheel.eval-sample.v1".getBytes(StandardCharsets.US_ASCII);

    private SampleId() {
    }

    public static String of(String conversationId, String completionId, SampleReason reason) {
        byte[] conversation = conversationId.getBytes(StandardCharsets.UTF_8);
        byte[] completion = completionId.getBytes(StandardCharsets.UTF_8);
        byte[] reasonName = reason.name().getBytes(StandardCharsets.US_ASCII);
        MessageDigest digest = ConversationDraw.sha256();
        digest.update(DOMAIN);
        digest.update((byte) 0);
        digest.update(reasonName);
        digest.update((byte) 0);
        digest.update(ByteBuffer.allocate(4).putInt(conversation.length).array());
        digest.update(conversation);
        digest.update(ByteBuffer.allocate(4).putInt(completion.length).array());
        digest.update(completion);
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }
}
