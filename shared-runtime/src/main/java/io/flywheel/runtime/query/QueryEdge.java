package io.flywheel.runtime.query;

import com.google.protobuf.Message;
import io.flywheel.query.v1.ResponseMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;

/**
 * The one query edge every gRPC service calls: point queries routed to where the key lives,
 * fan-outs merged from every instance's share (each read from its own active partitions of the
 * store), paged lists, and reads of global stores. A service method validates its request, picks one of these and
 * maps the result.
 */
@ApplicationScoped
public class QueryEdge {

    private final StreamsPlacement placement;
    private final PointRouter points;
    private final FanOut fanOut;
    private final LocalStores stores;
    private final QueryConfig config;

    public QueryEdge(StreamsPlacement placement, PointRouter points, FanOut fanOut, LocalStores stores, QueryConfig config) {
        this.placement = placement;
        this.points = points;
        this.fanOut = fanOut;
        this.stores = stores;
        this.config = config;
    }

    /** A request's {@code max_lag_records}: absent means the active copy only; negative is a mistake. */
    public static OptionalLong maxLag(boolean present, long records) {
        if (!present) {
            return OptionalLong.empty();
        }
        if (records < 0) {
            throw QueryErrors.invalidArgument("max_lag_records must be 0 or more, got " + records);
        }
        return OptionalLong.of(records);
    }

    /** Reads {@code key} of {@code store} where it lives (see {@link PointRouter}). */
    public <R extends Message> R point(String store, String key, OptionalLong maxLag,
                                       Function<PartitionReader, R> local, RemoteRead<R> remote) {
        String self = self();
        return points.route(store, key, maxLag, copy -> local.apply(new PartitionReader(stores, copy, self)), remote);
    }

    /** Every instance's share of an answer over {@code store}, merged (see {@link FanOut}). */
    public <R> R fanOut(String store, Function<ActivePartitions, R> localShare, RemoteRead<R> remote, Function<Shares<R>, R> merge) {
        return fanOut.ask(store, localShare, remote, merge);
    }

    /** One page of a list over {@code store}, whose entries every instance holds part of. */
    public <R, T> R page(String store, Listing<R, T> listing, KeysetPage page, Function<ActivePartitions, Collection<T>> localEntries,
                         RemoteRead<R> remote) {
        return fanOut.ask(store, here -> listing.share(page, localEntries.apply(here)), remote, shares -> listing.merge(page, shares));
    }

    /** Every entry of a global store, which each instance holds whole. */
    public <K, V> List<KeyValue<K, V>> global(String store) {
        placement.requireQueryable(config.retryAfter());
        return stores.global(store);
    }

    /** Fails with UNAVAILABLE (and a retry hint) unless the stores can answer now. */
    public void requireQueryable() {
        placement.requireQueryable(config.retryAfter());
    }

    /** Metadata of an answer this instance gives from state that spans partitions. */
    public ResponseMetadata acrossPartitions() {
        return ResponseMetadata.newBuilder().setServedBy(self()).setReceivedBy(self()).setPartition(-1).build();
    }

    public String self() {
        return StreamsPlacement.name(placement.self());
    }
}
