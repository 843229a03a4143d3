package io.flywheel.feedback.tally;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.state.v1.CountedVote;
import io.flywheel.state.v1.FeedbackStamp;
import io.flywheel.state.v1.VoteLedgerState;
import java.util.Comparator;
import java.util.Optional;

/**
 * Everything one user said about one completion, and the counter changes each new piece of
 * feedback causes. At most one thumb and one rating count, each the latest by occurred_at (ties:
 * larger feedback_id), whatever the arrival order; a clear at t removes both as of t and keeps
 * t, so an older vote arriving later cannot come back; a repeated feedback_id changes nothing;
 * regenerated, copied and reported are counted once per feedback_id.
 *
 * <p>The ledger remembers at most {@link #MAX_APPLIED_IDS} feedback ids. Past that cap votes and
 * clears still apply (their effect depends on the stamp alone, so a repeat changes nothing), but
 * further regenerated, copied and reported signals are not counted: a repeat of them could no
 * longer be told from a new one, and one user cannot move a completion's counts without bound.
 */
public final class VoteLedger {

    static final Comparator<FeedbackStamp> STAMP_ORDER = Comparator
            .comparingLong(FeedbackStamp::getOccurredAtMs)
            .thenComparing(FeedbackStamp::getFeedbackId);

    public static final int MAX_APPLIED_IDS = 256;

    private final VoteLedgerState.Builder state;

    private VoteLedger(VoteLedgerState.Builder state) {
        this.state = state;
    }

    /** The ledger of a (completion, user): from its stored state, or new for the event's completion. */
    public static VoteLedger of(VoteLedgerState stored, FeedbackEvent event) {
        if (stored != null) {
            return new VoteLedger(stored.toBuilder());
        }
        return new VoteLedger(VoteLedgerState.newBuilder()
                .setModel(event.getModel())
                .setPromptVersion(event.getPromptVersion())
                .setCompletionCreatedAtMs(Timestamps.toMillis(event.getCompletionCreatedAt())));
    }

    public VoteLedgerState state() {
        return state.build();
    }

    /**
     * Applies one event and returns how the counters move: empty when the event changes no
     * counter (a repeat, or a vote superseded by a later vote or clear).
     */
    public Optional<FeedbackAggregate> apply(FeedbackEvent event) {
        if (state.getAppliedFeedbackIdsList().contains(event.getFeedbackId())) {
            return Optional.empty();
        }
        if (state.getAppliedFeedbackIdsCount() < MAX_APPLIED_IDS) {
            state.addAppliedFeedbackIds(event.getFeedbackId());
        } else if (isCountedOnce(event)) {
            return Optional.empty();
        }
        FeedbackStamp stamp = FeedbackStamp.newBuilder()
                .setOccurredAtMs(Timestamps.toMillis(event.getOccurredAt()))
                .setFeedbackId(event.getFeedbackId())
                .build();
        FeedbackAggregate.Builder delta = FeedbackTally.zeroDelta();
        switch (event.getSignalCase()) {
            case THUMB -> castThumb(stamp, event.getThumb() == FeedbackEvent.Thumb.THUMB_UP ? 1 : -1, delta);
            case RATING -> castRating(stamp, event.getRating(), delta);
            case CLEARED -> clear(stamp, delta);
            case REGENERATED -> delta.setRegenerations(1);
            case COPIED -> delta.setCopies(1);
            case REPORTED -> delta.putReportsByReason(event.getReported().getReason(), 1);
            case SIGNAL_NOT_SET -> throw new IllegalArgumentException("feedback " + event.getFeedbackId() + " has no signal");
        }
        FeedbackAggregate built = delta.build();
        return FeedbackTally.isZero(built) ? Optional.empty() : Optional.of(built);
    }

    private static boolean isCountedOnce(FeedbackEvent event) {
        return switch (event.getSignalCase()) {
            case REGENERATED, COPIED, REPORTED -> true;
            default -> false;
        };
    }

    private void castThumb(FeedbackStamp stamp, int value, FeedbackAggregate.Builder delta) {
        if (!supersedes(stamp, state.hasThumb() ? state.getThumb().getStamp() : null)) {
            return;
        }
        if (state.hasThumb()) {
            countThumb(state.getThumb().getValue(), -1, delta);
        }
        state.setThumb(CountedVote.newBuilder().setStamp(stamp).setValue(value));
        countThumb(value, 1, delta);
    }

    private void castRating(FeedbackStamp stamp, int value, FeedbackAggregate.Builder delta) {
        if (!supersedes(stamp, state.hasRating() ? state.getRating().getStamp() : null)) {
            return;
        }
        if (state.hasRating()) {
            countRating(state.getRating().getValue(), -1, delta);
        }
        state.setRating(CountedVote.newBuilder().setStamp(stamp).setValue(value));
        countRating(value, 1, delta);
    }

    private void clear(FeedbackStamp stamp, FeedbackAggregate.Builder delta) {
        if (state.hasCleared() && STAMP_ORDER.compare(stamp, state.getCleared()) <= 0) {
            return;
        }
        state.setCleared(stamp);
        if (state.hasThumb() && STAMP_ORDER.compare(state.getThumb().getStamp(), stamp) < 0) {
            countThumb(state.getThumb().getValue(), -1, delta);
            state.clearThumb();
        }
        if (state.hasRating() && STAMP_ORDER.compare(state.getRating().getStamp(), stamp) < 0) {
            countRating(state.getRating().getValue(), -1, delta);
            state.clearRating();
        }
    }

    /** A vote counts only when later than both the current vote of its kind and the latest clear. */
    private boolean supersedes(FeedbackStamp stamp, FeedbackStamp current) {
        if (state.hasCleared() && STAMP_ORDER.compare(stamp, state.getCleared()) <= 0) {
            return false;
        }
        return current == null || STAMP_ORDER.compare(stamp, current) > 0;
    }

    private static void countThumb(int value, int sign, FeedbackAggregate.Builder delta) {
        if (value > 0) {
            delta.setThumbsUp(delta.getThumbsUp() + sign);
        } else {
            delta.setThumbsDown(delta.getThumbsDown() + sign);
        }
    }

    private static void countRating(int value, int sign, FeedbackAggregate.Builder delta) {
        delta.setRatingCount(delta.getRatingCount() + sign);
        delta.setRatingSum(delta.getRatingSum() + (long) sign * value);
        delta.setRatingHistogram(value - 1, delta.getRatingHistogram(value - 1) + sign);
    }
}
