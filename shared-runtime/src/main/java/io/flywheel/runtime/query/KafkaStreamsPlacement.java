package io.flywheel.runtime.query;

import io.flywheel.runtime.streams.StreamsLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Placement as the running Streams client sees it (store keys are strings in every service). */
@ApplicationScoped
public class KafkaStreamsPlacement implements StreamsPlacement {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final StreamsLifecycle lifecycle;
    private final HostInfo self;

    public KafkaStreamsPlacement(KafkaStreams streams, StreamsLifecycle lifecycle,
                                 @ConfigProperty(name = "quarkus.kafka-streams.application-server") Optional<String> applicationServer) {
        this.streams = streams;
        this.lifecycle = lifecycle;
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
}
