package io.flywheel.runtime.query;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;

/** Other instances as plain behaviours: each answers from the headers it gets, fails, or never answers. */
final class FakePeers implements Peers {

    /** One call to a peer, as sent. */
    record Ask(HostInfo host, Deadline deadline, Metadata headers) {
        String header(Metadata.Key<String> key) {
            return headers.get(key);
        }
    }

    private final Map<HostInfo, Function<Metadata, Future<?>>> behaviours = new ConcurrentHashMap<>();
    final List<Ask> asks = new CopyOnWriteArrayList<>();

    FakePeers answers(HostInfo host, Function<Metadata, ?> answer) {
        behaviours.put(host, headers -> {
            try {
                return CompletableFuture.completedFuture(answer.apply(headers));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        return this;
    }

    FakePeers fails(HostInfo host, Status status) {
        behaviours.put(host, headers -> CompletableFuture.failedFuture(status.asRuntimeException()));
        return this;
    }

    /** A peer that drops every packet: the call never completes. */
    FakePeers silent(HostInfo host) {
        behaviours.put(host, headers -> new CompletableFuture<>());
        return this;
    }

    List<Ask> asksTo(HostInfo host) {
        return asks.stream().filter(ask -> ask.host().equals(host)).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> Future<R> ask(HostInfo host, Deadline deadline, Metadata headers, RemoteRead<R> read) {
        asks.add(new Ask(host, deadline, headers));
        Function<Metadata, Future<?>> behaviour = behaviours.get(host);
        if (behaviour == null) {
            return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("no route to " + host).asRuntimeException());
        }
        return (Future<R>) behaviour.apply(headers);
    }
}
