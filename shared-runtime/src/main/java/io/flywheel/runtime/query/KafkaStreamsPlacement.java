package io.flywheel.runtime.query;

import io.flywheel.runtime.streams.StreamsLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Placement as the running Streams client sees it (store keys are strings in every service). */
@ApplicationScoped
public class KafkaStreamsPlacement implements StreamsPlacement {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final StreamsLifecycle lifecycle;
    private final LocalStores stores;
    private final RestoringPartitions restoring;
    private final HostInfo self;

    public KafkaStreamsPlacement(KafkaStreams streams, StreamsLifecycle lifecycle, LocalStores stores, RestoringPartitions restoring,
                                 @ConfigProperty(name = "quarkus.kafka-streams.application-server") Optional<String> applicationServer) {
        this.streams = streams;
        this.lifecycle = lifecycle;
        this.stores = stores;
        this.restoring = restoring;
        this.self = applicationServer.map(HostInfo::buildFromEndpoint).orElse(new HostInfo("localhost", 0));
    }

    @Override
    public HostInfo self() {
        return self;
    }

    @Override
    public boolean queryable() {
        return lifecycle.isQueryable();
    }

    @Override
    public String state() {
        return lifecycle.state().name();
    }

    @Override
    public Optional<KeyQueryMetadata> placementOf(String store, String key) {
        KeyQueryMetadata placement = streams.queryMetadataForKey(store, key, KEYS);
        if (placement == null || placement == KeyQueryMetadata.NOT_AVAILABLE || placement.activeHost() == null) {
            return Optional.empty();
        }
        return Optional.of(placement);
    }

    @Override
    public List<HostInfo> instances() {
        return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).toList();
    }

    @Override
    public OptionalInt partitionCount(String store) {
        // Kafka Streams hands a key partitioner the partition count of the store's source topics.
        AtomicInteger count = new AtomicInteger();
        StreamPartitioner<String, Object> counting = (topic, key, value, partitions) -> {
            count.set(partitions);
            return Optional.of(Set.of(0));
        };
        streams.queryMetadataForKey(store, "", counting);
        return count.get() > 0 ? OptionalInt.of(count.get()) : OptionalInt.empty();
    }

    @Override
    public Set<Integer> queryablePartitions(String store, int partitions) {
        Set<Integer> queryable = new TreeSet<>();
        for (int partition = 0; partition < partitions; partition++) {
            if (!restoring.restoring(store, partition) && stores.activeCanAnswer(store, partition)) {
                queryable.add(partition);
            }
        }
        return queryable;
    }
}
