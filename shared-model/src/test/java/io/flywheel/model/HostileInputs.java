package io.flywheel.model;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Timestamp;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Hostile but decodable records for the property tests of every service: a valid record with
 * one field made hostile (extreme and negative timestamps, empty and huge strings, unknown enum
 * numbers, control characters, lone UTF-16 surrogates), labelled with the field a reader must
 * name when it dead-letters it; or raw bytes (deep nesting of unknown fields) that must decode or
 * be dead-lettered as undecodable. Shared through this module's test jar.
 */
public final class HostileInputs {

    /** A hostile record: its bytes and the field its rejection must name (empty: any decode failure). */
    public record Hostile(byte[] value, Optional<String> field) {
    }

    private HostileInputs() {
    }

    /** Timestamps no reader may accept: outside protobuf's range, invalid nanos, before 1970, far ahead of {@code wallClockMs}. */
    public static Timestamp hostileTime(Random random, long wallClockMs) {
        return switch (random.nextInt(8)) {
            case 0 -> Timestamp.newBuilder().setSeconds(253402300800L).build();
            case 1 -> Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build();
            case 2 -> Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).build();
            case 3 -> Timestamp.newBuilder().setSeconds(-62135596801L).build();
            case 4 -> Timestamp.newBuilder().setSeconds(-1 - random.nextInt(1_000_000)).build();
            case 5 -> Timestamp.newBuilder().setSeconds(wallClockMs / 1000).setNanos(-1 - random.nextInt(1000)).build();
            case 6 -> Timestamp.newBuilder().setSeconds(wallClockMs / 1000).setNanos(1_000_000_000 + random.nextInt(1000)).build();
            default -> Timestamp.newBuilder().setSeconds(wallClockMs / 1000 + 3_600 + random.nextInt(Integer.MAX_VALUE)).build();
        };
    }

    /** Text longer than {@code cap}: plain, wide (3 UTF-8 bytes a char) or astral. */
    public static String longer(Random random, int cap) {
        String unit = List.of("x", "\u20ac", "\uD83D\uDE00", "a@b.io ").get(random.nextInt(4));
        return unit.repeat(cap / unit.length() + 1 + random.nextInt(16));
    }

    /** An id with a control character. */
    public static String controlled(Random random) {
        return "id" + (char) random.nextInt(0x20) + random.nextInt(1000);
    }

    /** Odd but valid text: lone surrogates (sent as '?'), right-to-left marks, emoji, NUL-free. */
    public static String odd(Random random) {
        return List.of("\uD800", "\uDFFF-x", "\u202Eabc", "\uD83D\uDE00", "名前", " ", "%2F/@").get(random.nextInt(7)) + random.nextInt(100);
    }

    /**
     * Raw bytes: a valid record followed by an unknown field nested {@code depth} levels deep.
     * Below protobuf's recursion limit (100) it decodes and the unknown field is ignored; above
     * it, decoding fails.
     */
    public static byte[] deeplyNested(byte[] valid, int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            inner = lengthDelimited(999, inner);
        }
        byte[] all = new byte[valid.length + inner.length];
        System.arraycopy(valid, 0, all, 0, valid.length);
        System.arraycopy(inner, 0, all, valid.length, inner.length);
        return all;
    }

    private static byte[] lengthDelimited(int field, byte[] body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 8);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_START_GROUP);
            out.writeRawBytes(body);
            out.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_END_GROUP);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Mutation<B>(String field, UnaryOperator<B> change) {
    }

    /** A valid feedback event with one field broken, and the field a reader must name (contract fields only). */
    public static Hostile feedback(FeedbackEvent valid, Random random, long wallClockMs) {
        List<Mutation<FeedbackEvent.Builder>> mutations = List.of(
                new Mutation<>("feedback_id", b -> b.setFeedbackId(random.nextBoolean() ? "" : longer(random, RecordLimits.MAX_ID_CHARS))),
                new Mutation<>("feedback_id", b -> b.setFeedbackId(controlled(random))),
                new Mutation<>("completion_id", b -> b.setCompletionId(random.nextBoolean() ? " " : longer(random, RecordLimits.MAX_ID_CHARS))),
                new Mutation<>("record key", b -> b.setConversationId(b.getConversationId() + "-other")),
                new Mutation<>("user_id", b -> b.setUserId(longer(random, RecordLimits.MAX_ID_CHARS))),
                new Mutation<>("model.name", b -> b.setModel(ModelRef.newBuilder().setName(longer(random, RecordLimits.MAX_NAME_CHARS)))),
                new Mutation<>("model.version", b -> b.setModel(b.getModel().toBuilder().setVersion(longer(random, RecordLimits.MAX_NAME_CHARS)))),
                new Mutation<>("prompt_version", b -> b.setPromptVersion(longer(random, RecordLimits.MAX_NAME_CHARS))),
                new Mutation<>("comment", b -> b.setComment(longer(random, RecordLimits.MAX_COMMENT_CHARS))),
                new Mutation<>("occurred_at", b -> b.clearOccurredAt()),
                new Mutation<>("occurred_at", b -> b.setOccurredAt(hostileTime(random, wallClockMs))),
                new Mutation<>("completion_created_at", b -> b.setCompletionCreatedAt(hostileTime(random, wallClockMs))),
                new Mutation<>("thumb", b -> b.setThumbValue(random.nextBoolean() ? 3 + random.nextInt(1000) : -1 - random.nextInt(1000))),
                new Mutation<>("thumb", b -> b.setThumb(FeedbackEvent.Thumb.THUMB_UNSPECIFIED)),
                new Mutation<>("rating", b -> b.setRating(random.nextBoolean() ? 6 + random.nextInt(Integer.MAX_VALUE - 6) : -random.nextInt(Integer.MAX_VALUE))),
                new Mutation<>("reported.reason", b -> b.setReported(FeedbackEvent.Reported.newBuilder().setReason(longer(random, RecordLimits.MAX_NAME_CHARS)))),
                new Mutation<>("no signal", FeedbackEvent.Builder::clearSignal));
        if (random.nextInt(20) == 0) {
            return new Hostile(deeplyNested(valid.toByteArray(), 101 + random.nextInt(400)), Optional.empty());
        }
        Mutation<FeedbackEvent.Builder> mutation = mutations.get(random.nextInt(mutations.size()));
        return new Hostile(mutation.change().apply(valid.toBuilder()).build().toByteArray(), Optional.of(mutation.field()));
    }

    /**
     * A valid completion with one field broken, and the field a reader must name; {@code path} is
     * how the reader names the completion's fields ({@code ""} or {@code "completion."}).
     */
    public static Hostile completion(Completion valid, Random random, long wallClockMs, String path,
                                     Function<Completion, ? extends MessageLite> wrap) {
        List<Mutation<Completion.Builder>> mutations = List.of(
                new Mutation<>(path + "completion_id", b -> b.setCompletionId(random.nextBoolean() ? "" : longer(random, RecordLimits.MAX_ID_CHARS))),
                new Mutation<>("record key", b -> b.setConversationId(b.getConversationId() + "-other")),
                new Mutation<>(path + "user_id", b -> b.setUserId(random.nextBoolean() ? controlled(random) : longer(random, RecordLimits.MAX_ID_CHARS))),
                new Mutation<>(path + "model.name", b -> b.setModel(ModelRef.newBuilder().setName(random.nextBoolean() ? "" : longer(random, RecordLimits.MAX_NAME_CHARS)))),
                new Mutation<>(path + "prompt_version", b -> b.setPromptVersion(longer(random, RecordLimits.MAX_NAME_CHARS))),
                new Mutation<>(path + "locale", b -> b.setLocale(longer(random, RecordLimits.MAX_NAME_CHARS))),
                new Mutation<>(path + "prompt_text", b -> b.setPromptText(longer(random, RecordLimits.MAX_TEXT_CHARS))),
                new Mutation<>(path + "attributes", b -> b.putAttributes("k", longer(random, RecordLimits.MAX_ATTRIBUTE_VALUE_CHARS))),
                new Mutation<>(path + "created_at", b -> b.setCreatedAt(hostileTime(random, wallClockMs))));
        if (random.nextInt(20) == 0) {
            return new Hostile(deeplyNested(wrap.apply(valid).toByteArray(), 101 + random.nextInt(400)), Optional.empty());
        }
        Mutation<Completion.Builder> mutation = mutations.get(random.nextInt(mutations.size()));
        return new Hostile(wrap.apply(mutation.change().apply(valid.toBuilder()).build()).toByteArray(), Optional.of(mutation.field()));
    }
}
