package io.flywheel.verification.verify;

import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.SafetyVerdict.Decision;
import io.flywheel.verification.workload.HostileKind;
import io.flywheel.verification.workload.Planned;
import io.flywheel.verification.workload.SeededContent;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the mesh must output for a workload, computed from the workload and the documented rules
 * alone. This package imports no Flywheel class except the generated Protobuf messages (the
 * contract): a bug shared by the product and its checker would otherwise pass unseen.
 *
 * <p>Longer than most classes here: it restates every documented rule (vote resolution, the draw,
 * boosts, dead letters) independently of the product, in one place to compare with the docs.
 */
public final class Expectations {

    /** The documented default policy pack: category → action (FLAG 1 < REDACT 2 < BLOCK 3). */
    static final Map<String, Decision> DEFAULT_PACK = Map.ofEntries(
            Map.entry("email", Decision.REDACT), Map.entry("phone", Decision.REDACT), Map.entry("payment_card", Decision.REDACT),
            Map.entry("iban", Decision.REDACT), Map.entry("us_ssn", Decision.REDACT), Map.entry("ip_address", Decision.FLAG),
            Map.entry("secret", Decision.REDACT), Map.entry("private_key", Decision.BLOCK),
            Map.entry("prompt_injection", Decision.FLAG), Map.entry("confidential", Decision.FLAG),
            // not in the default pack: the keyword policy the harness applies before traffic
            Map.entry(SeededContent.RUN_POLICY_CATEGORY, Decision.BLOCK));

    /** A valid completion and what it should produce. */
    static final class ExpectedCompletion {
        final String completionId;
        final String conversationId;
        final Decision decision;
        final String stratum;
        final double u;
        final long createdAtMs;
        /** Valid negative feedback within the boost window: any of them may trigger the one boost. */
        final Set<String> boostTriggers = new HashSet<>();

        ExpectedCompletion(String completionId, String conversationId, Decision decision, String stratum, double u, long createdAtMs) {
            this.completionId = completionId;
            this.conversationId = conversationId;
            this.decision = decision;
            this.stratum = stratum;
            this.u = u;
            this.createdAtMs = createdAtMs;
        }
    }

    /** Totals of one aggregate key. */
    static final class Tally {
        long up;
        long down;
        long ratingCount;
        long ratingSum;
        final long[] histogram = new long[5];
        long regenerations;
        long copies;
        final Map<String, Long> reports = new TreeMap<>();

        boolean isZero() {
            return up == 0 && down == 0 && ratingCount == 0 && regenerations == 0 && copies == 0 && reports.isEmpty();
        }

        @Override
        public String toString() {
            return "up=" + up + " down=" + down + " ratings=" + ratingCount + "/" + ratingSum + " hist=" + java.util.Arrays.toString(histogram)
                    + " regen=" + regenerations + " copies=" + copies + " reports=" + reports;
        }
    }

    /** (occurred_at, feedback_id): the later stamp wins; ties go to the larger feedback_id. */
    record Stamp(long seconds, int nanos, String feedbackId) implements Comparable<Stamp> {
        static Stamp of(FeedbackEvent event) {
            return new Stamp(event.getOccurredAt().getSeconds(), event.getOccurredAt().getNanos(), event.getFeedbackId());
        }

        @Override
        public int compareTo(Stamp o) {
            int c = Long.compare(seconds, o.seconds);
            if (c == 0) {
                c = Integer.compare(nanos, o.nanos);
            }
            return c != 0 ? c : feedbackId.compareTo(o.feedbackId);
        }
    }

    /** One user's votes on one completion. */
    private static final class Votes {
        final String modelKey;
        final String bucketKey;
        Stamp thumbStamp;
        boolean thumbUp;
        Stamp ratingStamp;
        int rating;
        Stamp clearStamp;

        Votes(String modelKey, String bucketKey) {
            this.modelKey = modelKey;
            this.bucketKey = bucketKey;
        }
    }

    final SamplerParameters parameters;
    final Map<String, ExpectedCompletion> completions = new HashMap<>();
    final Map<String, Tally> aggregates = new HashMap<>();
    final Map<String, Set<String>> deadLetters = new HashMap<>();
    long records;
    long validCompletions;
    long validFeedback;
    long hostile;

    private Expectations(SamplerParameters parameters) {
        this.parameters = parameters;
        for (HostileKind.Dlq dlq : HostileKind.Dlq.values()) {
            deadLetters.put(dlq.topic, new HashSet<>());
        }
    }

    public static Expectations of(Iterator<Planned> workload, SamplerParameters parameters) {
        Expectations expectations = new Expectations(parameters);
        Map<String, Votes> votes = new HashMap<>();
        Set<String> seenFeedback = new HashSet<>();
        Map<String, FeedbackEvent> negative = new HashMap<>();
        while (workload.hasNext()) {
            Planned record = workload.next();
            expectations.records++;
            if (record.hostile().isPresent()) {
                expectations.hostile++;
                for (HostileKind.Dlq dlq : record.hostile().get().dlqs) {
                    expectations.deadLetters.get(dlq.topic).add(record.recordId());
                }
            } else if (record.isValidCompletion()) {
                expectations.validCompletions++;
                expectations.expectCompletion(record.completion(), record.seeded().orElseThrow());
            } else {
                expectations.validFeedback++;
                FeedbackEvent event = record.feedback();
                if (seenFeedback.add(event.getFeedbackId())) {
                    expectations.apply(votes, event);
                    if (isNegative(event)) {
                        negative.put(event.getFeedbackId(), event);
                    }
                }
            }
        }
        for (Votes v : votes.values()) {
            expectations.countVotes(v);
        }
        for (FeedbackEvent event : negative.values()) {
            ExpectedCompletion completion = expectations.completions.get(event.getCompletionId());
            if (completion != null && completion.decision != Decision.BLOCK
                    && millis(event.getOccurredAt()) - completion.createdAtMs <= parameters.boostWindow().toMillis()) {
                completion.boostTriggers.add(event.getFeedbackId());
            }
        }
        return expectations;
    }

    /** Thumb down, a rating of 1 or 2, or a report (the sampler's documented negative feedback). */
    static boolean isNegative(FeedbackEvent event) {
        return switch (event.getSignalCase()) {
            case THUMB -> event.getThumb() == FeedbackEvent.Thumb.THUMB_DOWN;
            case RATING -> event.getRating() <= 2;
            case REPORTED -> true;
            default -> false;
        };
    }

    static Decision decision(SeededContent content) {
        Decision strongest = Decision.ALLOW;
        for (String category : content.categories) {
            Decision action = DEFAULT_PACK.get(category);
            if (action.getNumber() > strongest.getNumber()) {
                strongest = action;
            }
        }
        return strongest;
    }

    private void expectCompletion(Completion completion, SeededContent content) {
        completions.put(completion.getCompletionId(), new ExpectedCompletion(completion.getCompletionId(),
                completion.getConversationId(), decision(content), urlEncode(completion.getModel().getName()),
                draw(parameters.salt(), completion.getConversationId()), millis(completion.getCreatedAt())));
    }

    private void apply(Map<String, Votes> votes, FeedbackEvent event) {
        String modelKey = urlEncode(event.getModel().getName()) + "/" + urlEncode(event.getModel().getVersion()) + "/"
                + urlEncode(event.getPromptVersion());
        long width = parameters.bucketWidth().toMillis();
        long bucketStart = Math.floorDiv(millis(event.getCompletionCreatedAt()), width) * width;
        String bucketKey = modelKey + "@" + Instant.ofEpochMilli(bucketStart);
        Votes v = votes.computeIfAbsent(event.getCompletionId() + "\u0000" + event.getUserId(), k -> new Votes(modelKey, bucketKey));
        Stamp stamp = Stamp.of(event);
        switch (event.getSignalCase()) {
            case THUMB -> {
                if (v.thumbStamp == null || stamp.compareTo(v.thumbStamp) > 0) {
                    v.thumbStamp = stamp;
                    v.thumbUp = event.getThumb() == FeedbackEvent.Thumb.THUMB_UP;
                }
            }
            case RATING -> {
                if (v.ratingStamp == null || stamp.compareTo(v.ratingStamp) > 0) {
                    v.ratingStamp = stamp;
                    v.rating = event.getRating();
                }
            }
            case CLEARED -> {
                if (v.clearStamp == null || stamp.compareTo(v.clearStamp) > 0) {
                    v.clearStamp = stamp;
                }
            }
            case REGENERATED -> both(v, t -> t.regenerations++);
            case COPIED -> both(v, t -> t.copies++);
            case REPORTED -> both(v, t -> t.reports.merge(event.getReported().getReason(), 1L, Long::sum));
            default -> throw new IllegalStateException("valid feedback without a signal: " + event.getFeedbackId());
        }
    }

    private void both(Votes v, java.util.function.Consumer<Tally> change) {
        change.accept(aggregates.computeIfAbsent(v.modelKey, k -> new Tally()));
        change.accept(aggregates.computeIfAbsent(v.bucketKey, k -> new Tally()));
    }

    private void countVotes(Votes v) {
        if (v.thumbStamp != null && (v.clearStamp == null || v.thumbStamp.compareTo(v.clearStamp) > 0)) {
            both(v, t -> {
                if (v.thumbUp) {
                    t.up++;
                } else {
                    t.down++;
                }
            });
        }
        if (v.ratingStamp != null && (v.clearStamp == null || v.ratingStamp.compareTo(v.clearStamp) > 0)) {
            both(v, t -> {
                t.ratingCount++;
                t.ratingSum += v.rating;
                t.histogram[v.rating - 1]++;
            });
        }
    }

    static long millis(Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }

    static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The documented draw: first 53 bits of SHA-256(salt ‖ 0x00 ‖ conversation_id) / 2^53. */
    static double draw(String salt, String conversationId) {
        MessageDigest digest = sha256();
        digest.update(salt.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(conversationId.getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(digest.digest()).getLong() >>> 11;
        return bits / (double) (1L << 53);
    }

    /** The documented sample id: hex of the first 16 bytes of SHA-256 over the domain, reason and ids. */
    static String sampleId(String conversationId, String completionId, String reason) {
        MessageDigest digest = sha256();
        digest.update("flywheel.eval-sample.v1".getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) 0);
        digest.update(reason.getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) 0);
        byte[] conversation = conversationId.getBytes(StandardCharsets.UTF_8);
        byte[] completion = completionId.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(conversation.length).array());
        digest.update(conversation);
        digest.update(ByteBuffer.allocate(4).putInt(completion.length).array());
        digest.update(completion);
        return java.util.HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long records() {
        return records;
    }

    public long validCompletions() {
        return validCompletions;
    }

    public long validFeedback() {
        return validFeedback;
    }

    public long hostile() {
        return hostile;
    }
}
