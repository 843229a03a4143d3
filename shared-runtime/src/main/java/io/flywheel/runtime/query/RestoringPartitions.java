package io.flywheel.runtime.query;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Store partitions whose active copy on this instance is restoring from its changelog: such a
 * copy is open and readable, but holds only part of the partition's state. Quarkus registers
 * this bean as the client's restore listener.
 */
@ApplicationScoped
public class RestoringPartitions implements StateRestoreListener {

    private final Set<String> restoring = ConcurrentHashMap.newKeySet();

    public boolean restoring(String store, int partition) {
        return restoring.contains(key(store, partition));
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String store, long startingOffset, long endingOffset) {
        restoring.add(key(store, changelog.partition()));
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {
        // progress is not needed: a copy answers only once restored to the end
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
        restoring.remove(key(store, changelog.partition()));
    }

    @Override
    public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
        restoring.remove(key(store, changelog.partition()));
    }

    private static String key(String store, int partition) {
        return store + "\u0000" + partition;
    }
}
