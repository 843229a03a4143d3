package io.flywheel.model;

/**
 * The size caps of the contracts, in one place. Inputs above a cap are dead-lettered with the
 * field named; outputs are checked against {@link #MAX_OUTPUT_BYTES} before they are written.
 * Lengths of ids, names and texts are counted in UTF-16 chars (at most 3 UTF-8 bytes each).
 */
public final class RecordLimits {

    /** feedback_id, completion_id, conversation_id, user_id, policy ids. */
    public static final int MAX_ID_CHARS = 256;
    /** Model name and version, prompt_version, locale, region, report reason, category, attribute keys. */
    public static final int MAX_NAME_CHARS = 256;
    /** prompt_text and response_text, each. */
    public static final int MAX_TEXT_CHARS = 128 * 1024;
    /** A feedback comment. */
    public static final int MAX_COMMENT_CHARS = 16 * 1024;
    /** Attributes of a completion: how many, and the length of each value. */
    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_ATTRIBUTE_VALUE_CHARS = 1024;
    /** A whole input value as serialized: leaves room for redaction and the verdict beside it. */
    public static final int MAX_INPUT_BYTES = 768 * 1024;
    /**
     * Anything a service writes (key, value and headers): below the producer's default
     * {@code max.request.size} (1 MiB), with room for the record's own framing.
     */
    public static final int MAX_OUTPUT_BYTES = 1_000_000;

    private RecordLimits() {
    }
}
