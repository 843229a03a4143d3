package io.flywheel.runtime.state;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One walk over a store in bounded steps, for an index added to state that existed before it:
 * each step visits the next entries, and the position is kept in a store of the same task
 * (changelogged), so the walk resumes after a restart and, once finished, never runs again. On
 * new state it finishes in its first step.
 */
public final class StateWalk<V> {

    private static final byte FINISHED = 'f';
    private static final byte AFTER = 'a';

    private final KeyValueStore<String, V> state;
    private final KeyValueStore<String, byte[]> positions;
    private final String positionKey;
    private boolean finished;

    /**
     * @param positionKey where in {@code positions} the walk keeps its place: a key nothing else
     *                    in that store uses (an {@link ExpiryIndex} store never holds keys
     *                    starting with '~')
     */
    public StateWalk(KeyValueStore<String, V> state, KeyValueStore<String, byte[]> positions, String positionKey) {
        this.state = state;
        this.positions = positions;
        this.positionKey = positionKey;
        byte[] position = positions.get(positionKey);
        this.finished = position != null && position.length > 0 && position[0] == FINISHED;
    }

    public boolean finished() {
        return finished;
    }

    /** Visits up to {@code limit} more entries in key order; nothing once the walk has finished. */
    public void step(int limit, BiConsumer<String, V> visit) {
        if (finished) {
            return;
        }
        byte[] position = positions.get(positionKey);
        String after = position == null ? null : new String(position, 1, position.length - 1, StandardCharsets.UTF_8);
        String last = null;
        int visited = 0;
        boolean more;
        try (KeyValueIterator<String, V> entries = after == null ? state.all() : state.range(after, null)) {
            while (visited < limit && entries.hasNext()) {
                KeyValue<String, V> entry = entries.next();
                if (entry.key.equals(after)) {
                    continue;
                }
                visit.accept(entry.key, entry.value);
                last = entry.key;
                visited++;
            }
            more = entries.hasNext();
        }
        if (!more) {
            finished = true;
            positions.put(positionKey, new byte[] {FINISHED});
        } else if (last != null) {
            byte[] key = last.getBytes(StandardCharsets.UTF_8);
            byte[] next = new byte[key.length + 1];
            next[0] = AFTER;
            System.arraycopy(key, 0, next, 1, key.length);
            positions.put(positionKey, next);
        }
    }
}
