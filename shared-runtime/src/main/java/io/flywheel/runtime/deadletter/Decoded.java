package io.flywheel.runtime.deadletter;

/** What the first processor made of a raw record: a valid value, or the bytes to dead-letter. */
sealed interface Decoded<V> {

    record Valid<V>(V value) implements Decoded<V> {
    }

    record Rejected<V>(byte[] key, byte[] value) implements Decoded<V> {
    }
}
