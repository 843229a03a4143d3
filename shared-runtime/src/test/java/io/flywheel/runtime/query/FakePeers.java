package io.flywheel.runtime.query;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Other instances as plain behaviours: each answers from the headers it gets, fails, or never
 * answers. An answer carries the partitions trailer the behaviour noted (as the server
 * interceptor sends it), or the partitions given with {@link #covers}.
 */
final class FakePeers implements Peers {

    /** One call to a peer, as sent. */
    record Ask(HostInfo host, Deadline deadline, Metadata headers) {
        String header(Metadata.Key<String> key) {
            return headers.get(key);
        }
    }

    private final Map<HostInfo, Function<Metadata, Future<Reply<?>>>> behaviours = new ConcurrentHashMap<>();
    private final Map<HostInfo, Set<Integer>> covered = new ConcurrentHashMap<>();
    final List<Ask> asks = new CopyOnWriteArrayList<>();

    FakePeers answers(HostInfo host, Function<Metadata, ?> answer) {
        behaviours.put(host, headers -> {
            AtomicReference<Set<Integer>> answered = new AtomicReference<>(covered.get(host));
            try {
                Object value = Context.current().withValue(CallerContext.ANSWERED_KEY, answered).call(() -> answer.apply(headers));
                Metadata trailers = new Metadata();
                if (answered.get() != null) {
                    trailers.put(CallerContext.PARTITIONS, CallerContext.encodePartitions(answered.get()));
                }
                return CompletableFuture.completedFuture(new Reply<>(value, trailers));
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        return this;
    }

    /** The peer's answers cover these partitions of the store asked about. */
    FakePeers covers(HostInfo host, Integer... partitions) {
        covered.put(host, Set.of(partitions));
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
    public <R> Future<Reply<R>> ask(HostInfo host, Deadline deadline, Metadata headers, RemoteRead<R> read) {
        asks.add(new Ask(host, deadline, headers));
        Function<Metadata, Future<Reply<?>>> behaviour = behaviours.get(host);
        if (behaviour == null) {
            return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("no route to " + host).asRuntimeException());
        }
        return (Future<Reply<R>>) (Future<?>) behaviour.apply(headers);
    }
}
