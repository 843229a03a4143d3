package io.flywheel.tools;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Realistic user feedback: conversations of several turns on a handful of model keys (popularity
 * skewed, each key with its own approval), and per completion what users do — thumbs, ratings,
 * vote changes, clears, regenerations, copies, reports — in the order people do it. A few events
 * arrive late (their {@code occurred_at} is before events already sent) and a few are redelivered
 * with the same {@code feedback_id}, as at-least-once producers do. Deterministic for a seed and
 * a clock; event times never run ahead of the clock.
 *
 * <p>Longer than most classes here on purpose: the whole behaviour model of a feedback session (what
 * users do, how often, in which order) stays in one place a reader can check against reality.
 */
final class FeedbackTraffic {

    /** What an event is, for the summary. A vote change is a thumb or rating replacing an earlier one. */
    enum Kind { THUMB_UP, THUMB_DOWN, RATING, VOTE_CHANGE, CLEARED, REGENERATED, COPIED, REPORTED, REDELIVERED }

    /** One (model, prompt version) key with the approval its users give it. */
    record ModelKey(String name, String version, String promptVersion, double approval) {
        String label() {
            return name + "/" + version + "/" + promptVersion;
        }
    }

    private static final String[][] MODELS = {
            {"gpt-4o", "2024-08-06"}, {"claude-sonnet-4", "20250514"}, {"llama-3.1-70b", "instruct"},
            {"mistral-large", "2411"}, {"gemini-1.5-pro", "002"}, {"gpt-4o-mini", "2024-07-18"},
    };
    private static final String[] PROMPTS = {"support-v7", "checkout-v3", "search-v12"};
    private static final String[] REPORT_REASONS = {"inaccurate", "inaccurate", "harmful", "offensive", "privacy", "spam"};
    private static final String[] COMMENTS = {"wrong answer", "too long", "ignored my question", "made up a source", "not helpful"};
    private static final int OPEN_COMPLETIONS = 2_000;
    private static final int USERS = 5_000;
    private static final double LATE = 0.05;
    private static final double REDELIVERED = 0.01;
    /** About one in 1 / (mean events per completion) events is on a new completion. */
    private static final double NEW_COMPLETION = 0.45;

    private final Random random;
    private final Supplier<Instant> clock;
    private final List<ModelKey> keys;
    private final double[] popularity;
    private final List<OpenCompletion> open = new ArrayList<>();
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    private long late;
    private FeedbackEvent previous;
    private Kind lastKind;

    FeedbackTraffic(long seed, int modelKeys, Supplier<Instant> clock) {
        if (modelKeys < 1) {
            throw new IllegalArgumentException("at least one model key");
        }
        this.random = new Random(seed);
        this.clock = clock;
        this.keys = new ArrayList<>();
        this.popularity = new double[modelKeys];
        double total = 0;
        for (int i = 0; i < modelKeys; i++) {
            String[] model = MODELS[i % MODELS.length];
            int round = i / MODELS.length;
            String prompt = PROMPTS[round % PROMPTS.length] + (round >= PROMPTS.length ? "-r" + (round / PROMPTS.length) : "");
            keys.add(new ModelKey(model[0], model[1], prompt, 0.55 + 0.37 * random.nextDouble()));
            // Zipf-like: a few keys carry most traffic.
            total += popularity[i] = 1.0 / Math.pow(i + 1, 0.8);
        }
        for (int i = 0; i < modelKeys; i++) {
            popularity[i] /= total;
        }
    }

    List<ModelKey> keys() {
        return List.copyOf(keys);
    }

    Map<Kind, Long> counts() {
        return Map.copyOf(counts);
    }

    /** Events whose occurred_at is earlier than that of events generated before them. */
    long late() {
        return late;
    }

    /** The kind of the event last returned by {@link #next()}. */
    Kind lastKind() {
        return lastKind;
    }

    FeedbackEvent next() {
        if (previous != null && random.nextDouble() < REDELIVERED) {
            return record(Kind.REDELIVERED, previous);
        }
        Instant now = clock.get();
        OpenCompletion completion = pickCompletion(now);
        Instant occurredAt = now;
        if (random.nextDouble() < LATE) {
            Instant earlier = now.minusMillis(1_000 + random.nextInt(29_000));
            if (earlier.isAfter(completion.createdAt)) {
                occurredAt = earlier;
                late++;
            }
        }
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                .setFeedbackId("fb-" + hex(random.nextLong(), 16))
                .setConversationId(completion.conversation.id)
                .setCompletionId(completion.completionId)
                .setUserId(completion.conversation.userId)
                .setModel(ModelRef.newBuilder().setName(completion.conversation.key.name()).setVersion(completion.conversation.key.version()))
                .setPromptVersion(completion.conversation.key.promptVersion())
                .setCompletionCreatedAt(timestamp(completion.createdAt))
                .setOccurredAt(timestamp(occurredAt));
        Kind kind = act(completion, event);
        previous = event.build();
        return record(kind, previous);
    }

    private FeedbackEvent record(Kind kind, FeedbackEvent event) {
        counts.merge(kind, 1L, Long::sum);
        lastKind = kind;
        return event;
    }

    /** What the user does next on this completion, given what they did before. */
    private Kind act(OpenCompletion c, FeedbackEvent.Builder event) {
        double roll = random.nextDouble();
        boolean hasVote = c.thumb != null || c.rating != null;
        if (!hasVote) {
            if (roll < 0.55) {
                return thumb(c, event, random.nextDouble() < c.conversation.key.approval(), false);
            } else if (roll < 0.70) {
                return rating(c, event, false);
            }
        } else {
            if (roll < 0.20) {
                // Changes their mind: flips the thumb, or re-rates.
                return c.thumb != null ? thumb(c, event, c.thumb != FeedbackEvent.Thumb.THUMB_UP, true) : rating(c, event, true);
            } else if (roll < 0.32) {
                c.thumb = null;
                c.rating = null;
                event.setCleared(FeedbackEvent.Cleared.getDefaultInstance());
                return Kind.CLEARED;
            } else if (roll < 0.45 && c.rating == null) {
                return rating(c, event, false);
            }
        }
        double other = random.nextDouble();
        // Unhappy users regenerate more and copy less.
        boolean unhappy = c.thumb == FeedbackEvent.Thumb.THUMB_DOWN || (c.rating != null && c.rating <= 2);
        if (other < (unhappy ? 0.55 : 0.30)) {
            event.setRegenerated(FeedbackEvent.Regenerated.getDefaultInstance());
            return Kind.REGENERATED;
        } else if (other < 0.92) {
            event.setCopied(FeedbackEvent.Copied.getDefaultInstance());
            return Kind.COPIED;
        }
        event.setReported(FeedbackEvent.Reported.newBuilder().setReason(REPORT_REASONS[random.nextInt(REPORT_REASONS.length)]));
        return Kind.REPORTED;
    }

    private Kind thumb(OpenCompletion c, FeedbackEvent.Builder event, boolean up, boolean change) {
        c.thumb = up ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN;
        event.setThumb(c.thumb);
        if (!up && random.nextDouble() < 0.15) {
            event.setComment(COMMENTS[random.nextInt(COMMENTS.length)]);
        }
        return change ? Kind.VOTE_CHANGE : up ? Kind.THUMB_UP : Kind.THUMB_DOWN;
    }

    private Kind rating(OpenCompletion c, FeedbackEvent.Builder event, boolean change) {
        int rating = (int) Math.round(1 + 4 * c.conversation.key.approval() + random.nextGaussian());
        rating = Math.max(1, Math.min(5, rating));
        c.rating = rating;
        event.setRating(rating);
        if (rating <= 2 && random.nextDouble() < 0.2) {
            event.setComment(COMMENTS[random.nextInt(COMMENTS.length)]);
        }
        return change ? Kind.VOTE_CHANGE : Kind.RATING;
    }

    /**
     * A new completion (a new turn, or a new conversation) or one users are still reacting to.
     * Each completion draws at creation how many events it will get (mostly 1–3, rarely up to 8),
     * so no conversation turns into a hot spot.
     */
    private OpenCompletion pickCompletion(Instant now) {
        if (open.isEmpty() || random.nextDouble() < NEW_COMPLETION) {
            Conversation conversation;
            Instant createdAt;
            if (!open.isEmpty() && random.nextDouble() < 0.3) {
                conversation = open.get(random.nextInt(open.size())).conversation;
                createdAt = latest(conversation.lastCreatedAt.plusSeconds(5 + random.nextInt(60)), now);
            } else {
                conversation = new Conversation("conv-" + hex(random.nextLong(), 12), "user-" + hex(random.nextInt(USERS), 5), pickKey());
                createdAt = now.minus(Duration.ofMillis(500 + random.nextInt(120_000)));
            }
            int events = 1;
            while (events < 8 && random.nextDouble() < 0.55) {
                events++;
            }
            OpenCompletion created = conversation.nextTurn(createdAt, events);
            int index;
            if (open.size() >= OPEN_COMPLETIONS) {
                index = random.nextInt(open.size());
                open.set(index, created);
            } else {
                index = open.size();
                open.add(created);
            }
            return take(index);
        }
        return take(random.nextInt(open.size()));
    }

    /** The completion at index i, forgotten once it has had all its events. */
    private OpenCompletion take(int i) {
        OpenCompletion completion = open.get(i);
        if (--completion.eventsLeft <= 0) {
            OpenCompletion last = open.remove(open.size() - 1);
            if (i < open.size()) {
                open.set(i, last);
            }
        }
        return completion;
    }

    private ModelKey pickKey() {
        double roll = random.nextDouble();
        for (int i = 0; i < popularity.length; i++) {
            roll -= popularity[i];
            if (roll < 0) {
                return keys.get(i);
            }
        }
        return keys.get(keys.size() - 1);
    }

    private static Instant latest(Instant wanted, Instant now) {
        return wanted.isAfter(now) ? now : wanted;
    }

    private static String hex(long value, int digits) {
        String text = Long.toHexString(value);
        text = text.length() >= digits ? text.substring(text.length() - digits) : "0".repeat(digits - text.length()) + text;
        return text;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** One user's conversation with one model key; its turns are completions. */
    private static final class Conversation {
        final String id;
        final String userId;
        final ModelKey key;
        int turns;
        Instant lastCreatedAt = Instant.EPOCH;

        Conversation(String id, String userId, ModelKey key) {
            this.id = id;
            this.userId = userId;
            this.key = key;
        }

        OpenCompletion nextTurn(Instant createdAt, int events) {
            lastCreatedAt = createdAt;
            return new OpenCompletion(this, id + "-t" + turns++, createdAt, events);
        }
    }

    /** A completion its user can still give feedback on, and their current vote on it. */
    private static final class OpenCompletion {
        final Conversation conversation;
        final String completionId;
        final Instant createdAt;
        int eventsLeft;
        FeedbackEvent.Thumb thumb;
        Integer rating;

        OpenCompletion(Conversation conversation, String completionId, Instant createdAt, int events) {
            this.conversation = conversation;
            this.completionId = completionId;
            this.createdAt = createdAt;
            this.eventsLeft = events;
        }
    }
}
