package io.flywheel.sampler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConversationDrawTest {

    /**
     * Pinned vectors, computed once outside Java with Python's hashlib:
     * {@code int.from_bytes(sha256(salt.encode() + b"\0" + cid.encode()).digest()[:8], "big") >> 11}.
     * If any of these change, every replay and every other service disagrees with this one.
     */
    @Test
    void matchesVectorsComputedIndependently() {
        assertVector("flywheel", "conv-1", 5817434794184163L, 0.6458650052758766);
        assertVector("flywheel", "conv-2", 3060029311499976L, 0.33973149976551387);
        assertVector("flywheel", "", 8148409229345203L, 0.9046551540487172);
        assertVector("s3cr3t", "conv-1", 3711765768352071L, 0.41208878180399544);
        assertVector("flywheel", "Gespräch-ß-会话-🚀", 4909875260106108L, 0.545105656180723);
    }

    private static void assertVector(String salt, String conversationId, long bits, double u) {
        ConversationDraw draw = new ConversationDraw(salt);
        assertEquals(bits, draw.bits53(conversationId), () -> salt + "/" + conversationId);
        assertEquals(u, draw.u(conversationId), 0.0, () -> salt + "/" + conversationId);
        assertEquals(bits / 0x1p53, draw.u(conversationId), 0.0);
    }

    @Test
    void fingerprintNamesTheSaltWithoutRevealingIt() {
        // First 8 bytes of SHA-256("flywheel"), pinned from hashlib.
        assertEquals("249fcd5879ee2bb2", new ConversationDraw("flywheel").saltFingerprint());
        assertNotEquals(new ConversationDraw("flywheel").saltFingerprint(), new ConversationDraw("flywheel2").saltFingerprint());
    }

    @Test
    void sameConversationSameDrawAcrossInstancesAndSaltsDiffer() {
        ConversationDraw one = new ConversationDraw("salt-a");
        ConversationDraw two = new ConversationDraw("salt-a");
        ConversationDraw other = new ConversationDraw("salt-b");
        int differing = 0;
        for (int i = 0; i < 1000; i++) {
            String id = "c-" + i;
            double u = one.u(id);
            assertTrue(u >= 0.0 && u < 1.0);
            assertEquals(u, two.u(id), 0.0);
            assertEquals(u, one.u(id), 0.0, "the prefix state must not be consumed by a draw");
            if (u != other.u(id)) {
                differing++;
            }
        }
        assertEquals(1000, differing);
    }

    @Test
    void sampledIffDrawBelowRate() {
        ConversationDraw draw = new ConversationDraw("flywheel");
        double u = draw.u("conv-1"); // 0.6458650052758766
        assertTrue(draw.isSampled("conv-1", Math.nextUp(u)));
        assertTrue(!draw.isSampled("conv-1", u), "u < r is strict: r = u does not sample");
        assertTrue(draw.isSampled("conv-1", 1.0));
        assertTrue(!draw.isSampled("conv-1", 0.0));
    }

    @Test
    void rejectsSaltsThatWouldMakeTheInputAmbiguous() {
        assertThrows(IllegalArgumentException.class, () -> new ConversationDraw(""));
        assertThrows(IllegalArgumentException.class, () -> new ConversationDraw("a\0b"));
    }

    @Test
    void drawIsUniformEnoughInEveryDecile() {
        ConversationDraw draw = new ConversationDraw("uniformity");
        int n = 100_000;
        int[] deciles = new int[10];
        for (int i = 0; i < n; i++) {
            deciles[(int) (draw.u("conversation-" + i) * 10)]++;
        }
        // Chi-square with 9 degrees of freedom: 27.88 is its 0.999 quantile.
        double chi2 = 0;
        for (int count : deciles) {
            chi2 += Math.pow(count - n / 10.0, 2) / (n / 10.0);
        }
        assertTrue(chi2 < 27.88, "chi2=" + chi2);
    }
}
