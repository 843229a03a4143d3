package io.flywheel.runtime.query;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks every instance for its share of an answer (each for its own active partitions) and
 * merges the shares; a server that fails is named in the outcomes, the others still count.
 * Remote calls are asynchronous and all in flight at once, so no pool bounds or shares them.
 */
@ApplicationScoped
public class FanOut {

    private final StreamsPlacement placement;
    private final Peers peers;
    private final QueryConfig config;

    public FanOut(StreamsPlacement placement, Peers peers, QueryConfig config) {
        this.placement = placement;
        this.peers = peers;
        this.config = config;
    }

    /**
     * On a client's call: every instance's share, merged. On a call that is itself part of a
     * fan-out: this instance's share only, unmerged, so the caller's merge sees it whole.
     */
    public <R> R ask(Supplier<R> localShare, RemoteRead<R> remote, Function<Shares<R>, R> merge) {
        placement.requireQueryable(config.retryAfter());
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            return localShare.get();
        }
        Deadline deadline = CallerContext.deadline(config.forwardTimeout());
        Metadata headers = CallerContext.forwardHeaders(CallerContext.Scope.LOCAL_PARTITIONS,
                CallerContext.authorization(), OptionalLong.empty());
        HostInfo self = placement.self();
        Map<HostInfo, Future<R>> calls = new LinkedHashMap<>();
        placement.instances().stream().filter(host -> !host.equals(self))
                .forEach(host -> calls.put(host, peers.ask(host, deadline, headers, remote)));
        List<Shares.Share<R>> shares = new ArrayList<>();
        shares.add(share(StreamsPlacement.name(self), localShare));
        calls.forEach((host, call) -> shares.add(share(StreamsPlacement.name(host), () -> Peers.await(call, deadline))));
        return merge.apply(new Shares<>(shares, config.retryAfter()));
    }

    private static <R> Shares.Share<R> share(String server, Supplier<R> answer) {
        try {
            return Shares.Share.answered(server, answer.get());
        } catch (StatusRuntimeException e) {
            return Shares.Share.failed(server, e.getStatus());
        }
    }
}
