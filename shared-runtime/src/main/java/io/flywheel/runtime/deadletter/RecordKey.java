package io.flywheel.runtime.deadletter;

import io.flywheel.model.RecordLimits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The key rule of every input topic: present, valid UTF-8, not blank, within the id cap. The
 * decode step applies it, and so do the global processors, which read the same topics as the
 * intake checks and must skip exactly what those dead-letter.
 */
public sealed interface RecordKey {

    /** A key that keeps the rule. */
    record Valid(String key) implements RecordKey {
    }

    /** A key that breaks it: the dead letter's error class and a reason naming the key. */
    record Invalid(String errorClass, String reason) implements RecordKey {
    }

    static RecordKey read(byte[] key) {
        if (key == null) {
            return new Invalid("MissingKey", "record has no key: the key must be the UTF-8 id the topic is keyed by");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Invalid("InvalidKey", "key is not valid UTF-8");
        }
        if (text.isBlank()) {
            return new Invalid("InvalidKey", "key is blank");
        }
        if (text.length() > RecordLimits.MAX_ID_CHARS) {
            return new Invalid("InvalidKey", "key is " + text.length() + " chars, above the id cap of " + RecordLimits.MAX_ID_CHARS);
        }
        return new Valid(text);
    }
}
