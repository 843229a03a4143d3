package io.flywheel.runtime.query;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** Placement given as plain facts: who this instance is, which instances exist, where each store's keys live. */
final class FakePlacement implements StreamsPlacement {

    private final HostInfo self;
    private final List<HostInfo> instances;
    private final Map<String, KeyQueryMetadata> byStore = new HashMap<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<String, Set<Integer>> queryableHere = new HashMap<>();
    boolean queryable = true;

    FakePlacement(HostInfo self, HostInfo... others) {
        this.self = self;
        this.instances = Stream.concat(Stream.of(self), Stream.of(others)).toList();
    }

    /** Every key of {@code store} lives in {@code partition}, active on {@code active}, with these standbys. */
    FakePlacement place(String store, int partition, HostInfo active, HostInfo... standbys) {
        byStore.put(store, new KeyQueryMetadata(active, Set.of(standbys), partition));
        return this;
    }

    /** {@code store} has {@code count} partitions, of which these answer on this instance now. */
    FakePlacement partitions(String store, int count, Integer... answeringHere) {
        partitionCounts.put(store, count);
        queryableHere.put(store, Set.of(answeringHere));
        return this;
    }

    @Override
    public OptionalInt partitionCount(String store) {
        Integer count = partitionCounts.get(store);
        return count == null ? OptionalInt.empty() : OptionalInt.of(count);
    }

    @Override
    public Set<Integer> queryablePartitions(String store, int partitions) {
        return queryableHere.getOrDefault(store, Set.of());
    }

    @Override
    public HostInfo self() {
        return self;
    }

    @Override
    public boolean queryable() {
        return queryable;
    }

    @Override
    public String state() {
        return queryable ? "RUNNING" : "REBALANCING";
    }

    @Override
    public Optional<KeyQueryMetadata> placementOf(String store, String key) {
        return Optional.ofNullable(byStore.get(store));
    }

    @Override
    public List<HostInfo> instances() {
        return instances;
    }
}
