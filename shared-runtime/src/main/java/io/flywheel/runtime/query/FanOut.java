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
 * Asks every instance for its share of an answer over one store (each for its own active
 * partitions that can answer now) and merges the shares; a server that fails is named in the
 * outcomes, the others still count. The partitions every share covered are compared with all
 * partitions of the store, so an answer that misses one is never passed off as complete.
 * Remote calls are asynchronous and all in flight at once, so no pool bounds or shares them.
 */
@ApplicationScoped
public class FanOut {

    private final StreamsPlacement placement;
    private final LocalStores stores;
    private final Peers peers;
    private final QueryConfig config;

    public FanOut(StreamsPlacement placement, LocalStores stores, Peers peers, QueryConfig config) {
        this.placement = placement;
        this.stores = stores;
        this.peers = peers;
        this.config = config;
    }

    /**
     * On a client's call: every instance's share, merged. On a call that is itself part of a
     * fan-out: this instance's share only, unmerged, so the caller's merge sees it whole; the
     * partitions it covers go back in a trailer.
     */
    public <R> R ask(String store, Function<ActivePartitions, R> localShare, RemoteRead<R> remote,
                     Function<Shares<R>, R> merge) {
        placement.requireQueryable(config.retryAfter());
        int partitions = placement.partitionCount(store).orElseThrow(() ->
                QueryErrors.unavailable("the partitions of " + store + " are not assigned yet", config.retryAfter()));
        ActivePartitions here = new ActivePartitions(stores, store, placement.queryablePartitions(store, partitions));
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            R share = localShare.apply(here);
            CallerContext.answeredPartitions(here.partitions());
            return share;
        }
        Deadline deadline = CallerContext.deadline(config.forwardTimeout());
        Metadata headers = CallerContext.forwardHeaders(CallerContext.Scope.LOCAL_PARTITIONS,
                CallerContext.authorization(), OptionalLong.empty());
        HostInfo self = placement.self();
        Map<HostInfo, Future<Peers.Reply<R>>> calls = new LinkedHashMap<>();
        placement.instances().stream().filter(host -> !host.equals(self))
                .forEach(host -> calls.put(host, peers.ask(host, deadline, headers, remote)));
        List<Shares.Share<R>> shares = new ArrayList<>();
        String selfName = StreamsPlacement.name(self);
        shares.add(attempt(selfName, () -> Shares.Share.answered(selfName, localShare.apply(here), here.partitions())));
        calls.forEach((host, call) -> shares.add(attempt(StreamsPlacement.name(host), () -> {
            Peers.Reply<R> reply = Peers.await(call, deadline);
            return Shares.Share.answered(StreamsPlacement.name(host), reply.answer(), reply.partitions());
        })));
        Shares<R> all = new Shares<>(shares, partitions, config.retryAfter());
        all.requireCoherent(store);
        return merge.apply(all);
    }

    private static <R> Shares.Share<R> attempt(String server, Supplier<Shares.Share<R>> share) {
        try {
            return share.get();
        } catch (StatusRuntimeException e) {
            return Shares.Share.failed(server, e.getStatus());
        }
    }
}
