package io.flywheel.sampler.sampling;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The one uniform number of a conversation: {@code u = hash(salt, conversation_id)} in [0, 1).
 *
 * <p>Definition, so any service or language reproduces it bit for bit:
 * <pre>
 *   digest = SHA-256( UTF-8(salt) || 0x00 || UTF-8(conversation_id) )
 *   x      = first 8 bytes of digest, big-endian, unsigned
 *   u      = (x >>> 11) / 2^53          (the top 53 bits: exactly representable as a double)
 * </pre>
 * Python: {@code int.from_bytes(sha256(salt.encode() + b"\0" + cid.encode()).digest()[:8], "big") >> 11) / 2**53}.
 * The salt may not contain U+0000, so the separator makes the input unambiguous.
 *
 * <p>A completion is sampled iff {@code u < r}. u takes the 2^53 values k / 2^53 with equal
 * probability, so {@code P(u < r) = ceil(r * 2^53) / 2^53}: r exactly, to within 2^-53. The
 * same u serves every stratum and every reason, so the sample sets of rates r1 ≤ r2 are nested
 * and a conversation spanning two models at equal rates is sampled in both or in neither.
 *
 * <p>Thread-safe: the salted prefix state is only ever cloned, never updated.
 */
public final class ConversationDraw {

    private static final double TWO_POW_53 = 0x1p53;

    private final MessageDigest saltedPrefix;
    private final String saltFingerprint;

    public ConversationDraw(String salt) {
        Objects.requireNonNull(salt, "salt");
        if (salt.isEmpty() || salt.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("salt must be non-empty and must not contain U+0000");
        }
        byte[] saltBytes = salt.getBytes(StandardCharsets.UTF_8);
        saltedPrefix = sha256();
        saltedPrefix.update(saltBytes);
        saltedPrefix.update((byte) 0);
        saltFingerprint = HexFormat.of().formatHex(sha256().digest(saltBytes), 0, 8);
    }

    /** u in [0, 1) for this conversation; the same in every stratum, service and replay. */
    public double u(String conversationId) {
        return bits53(conversationId) / TWO_POW_53;
    }

    /** The top 53 bits of the digest, i.e. {@code u * 2^53} as an exact integer. */
    public long bits53(String conversationId) {
        MessageDigest digest = clonePrefix();
        byte[] hash = digest.digest(conversationId.getBytes(StandardCharsets.UTF_8));
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (hash[i] & 0xFF);
        }
        return x >>> 11;
    }

    /** Whether a conversation falls in the sample at rate r (r in [0, 1]). */
    public boolean isSampled(String conversationId, double rate) {
        return u(conversationId) < rate;
    }

    /**
     * First 8 bytes of SHA-256(UTF-8(salt)) in hex: names the salt in the query API and in logs
     * without revealing it (whoever knows the salt can tell which conversations get sampled).
     */
    public String saltFingerprint() {
        return saltFingerprint;
    }

    private MessageDigest clonePrefix() {
        try {
            return (MessageDigest) saltedPrefix.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest is not cloneable on this JVM", e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
