package io.flywheel.safety.topology;

import io.flywheel.state.v1.ConversationVerdicts;
import io.flywheel.state.v1.RetainedVerdict;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation's most recent verdicts, bounded twice: at most {@code maxCount}, and none whose
 * record time is at or before the cutoff (stream time minus the retention).
 */
final class RecentVerdicts {

    private RecentVerdicts() {
    }

    /** The state with {@code verdict} appended and both bounds applied. */
    static ConversationVerdicts add(ConversationVerdicts current, RetainedVerdict verdict, int maxCount, long cutoffMs) {
        List<RetainedVerdict> kept = new ArrayList<>();
        if (current != null) {
            kept.addAll(current.getVerdictsList());
        }
        kept.add(verdict);
        kept.removeIf(v -> v.getRecordTimeMs() <= cutoffMs);
        if (kept.size() > maxCount) {
            kept = kept.subList(kept.size() - maxCount, kept.size());
        }
        return ConversationVerdicts.newBuilder().addAllVerdicts(kept).build();
    }

    /** The state without verdicts at or before the cutoff (possibly empty). */
    static ConversationVerdicts expire(ConversationVerdicts current, long cutoffMs) {
        ConversationVerdicts.Builder kept = ConversationVerdicts.newBuilder();
        for (RetainedVerdict verdict : current.getVerdictsList()) {
            if (verdict.getRecordTimeMs() > cutoffMs) {
                kept.addVerdicts(verdict);
            }
        }
        return kept.build();
    }
}
