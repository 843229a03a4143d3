package io.flywheel.runtime.query;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.state.HostInfo;

/** One pooled channel per other instance, opened on first use and kept. */
@ApplicationScoped
public class PeerChannels implements Peers {

    private final Map<HostInfo, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final QueryConfig config;

    public PeerChannels(QueryConfig config) {
        this.config = config;
    }

    @Override
    public <R> Future<Reply<R>> ask(HostInfo host, Deadline deadline, Metadata headers, RemoteRead<R> read) {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        try {
            Future<R> answer = read.call(ClientInterceptors.intercept(channelTo(host),
                    MetadataUtils.newAttachHeadersInterceptor(headers), withDeadline(deadline),
                    MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers)));
            return new WithTrailers<>(answer, trailers);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** An answer with the trailers it closed with (captured before the answer's future completes). */
    private record WithTrailers<R>(Future<R> answer, AtomicReference<Metadata> trailers) implements Future<Reply<R>> {

        @Override
        public Reply<R> get() throws InterruptedException, ExecutionException {
            return reply(answer.get());
        }

        @Override
        public Reply<R> get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return reply(answer.get(timeout, unit));
        }

        private Reply<R> reply(R value) {
            Metadata closedWith = trailers.get();
            return new Reply<>(value, closedWith == null ? new Metadata() : closedWith);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return answer.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return answer.isCancelled();
        }

        @Override
        public boolean isDone() {
            return answer.isDone();
        }
    }

    private ManagedChannel channelTo(HostInfo host) {
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

    private static ClientInterceptor withDeadline(Deadline deadline) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                return next.newCall(method, options.withDeadline(deadline));
            }
        };
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
