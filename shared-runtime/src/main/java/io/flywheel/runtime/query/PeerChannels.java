package io.flywheel.runtime.query;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.state.HostInfo;

/** One pooled channel per other instance, opened on first use and kept. */
@ApplicationScoped
public class PeerChannels {

    private final Map<HostInfo, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final QueryConfig config;

    public PeerChannels(QueryConfig config) {
        this.config = config;
    }

    public ManagedChannel channelTo(HostInfo host) {
        return channels.computeIfAbsent(host, h -> {
            ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(h.host(), h.port());
            if (config.peerTls()) {
                builder.useTransportSecurity();
            } else {
                builder.usePlaintext();
            }
            return builder.build();
        });
    }

    /** A stub for a call to another instance: the caller's deadline, and headers carrying credentials and scope. */
    public static <S extends io.grpc.stub.AbstractStub<S>> S forwarded(S stub, io.grpc.Deadline deadline, io.grpc.Metadata headers) {
        return stub.withDeadline(deadline).withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @PreDestroy
    void close() {
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
