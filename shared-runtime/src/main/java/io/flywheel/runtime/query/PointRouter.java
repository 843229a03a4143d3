package io.flywheel.runtime.query;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.flywheel.query.v1.ResponseMetadata;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

/**
 * Answers a point query where its key lives: from the local active copy, forwarded to the owner
 * with the caller's deadline and credentials, or, when the owner does not answer and the caller
 * accepts staleness, from a standby within the caller's lag bound.
 */
@ApplicationScoped
public class PointRouter {

    private static final Logger LOG = Logger.getLogger(PointRouter.class);

    private final StreamsPlacement placement;
    private final StoreLags lags;
    private final Peers peers;
    private final QueryConfig config;

    public PointRouter(StreamsPlacement placement, StoreLags lags, Peers peers, QueryConfig config) {
        this.placement = placement;
        this.lags = lags;
        this.peers = peers;
        this.config = config;
    }

    /**
     * @param maxLag the caller's staleness allowance (records); empty: the active copy only
     * @param local  answers from the local copy it is given
     * @param remote asks another instance; its answer is re-stamped as received here
     */
    public <R extends Message> R route(String store, String key, OptionalLong maxLag,
                                       Function<LocalCopy, R> local, RemoteRead<R> remote) {
        placement.requireQueryable(config.retryAfter());
        KeyQueryMetadata where = placement.placementOf(store, key).orElseThrow(() ->
                QueryErrors.unavailable("no instance owns " + store + " for this key yet", config.retryAfter()));
        boolean ownedHere = placement.self().equals(where.activeHost());
        return switch (CallerContext.scope()) {
            case STANDBY -> readHere(store, where, CallerContext.standbyMaxLag().orElse(0), local);
            case ACTIVE -> {
                if (!ownedHere) {
                    throw QueryErrors.unavailable("partition " + where.partition() + " of " + store + " moved away from "
                            + self() + " while the call was forwarded", config.retryAfter());
                }
                yield local.apply(LocalCopy.active(store, where.partition()));
            }
            case CLIENT, LOCAL_PARTITIONS -> ownedHere ? local.apply(LocalCopy.active(store, where.partition()))
                    : fromOwner(store, where, maxLag, local, remote);
        };
    }

    private <R extends Message> R fromOwner(String store, KeyQueryMetadata where, OptionalLong maxLag,
                                            Function<LocalCopy, R> local, RemoteRead<R> remote) {
        try {
            return ask(where.activeHost(), CallerContext.deadline(config.forwardTimeout()),
                    CallerContext.Scope.ACTIVE, OptionalLong.empty(), remote);
        } catch (StatusRuntimeException e) {
            if (!unreachable(e)) {
                throw e;
            }
            if (maxLag.isEmpty()) {
                throw QueryErrors.unavailable("the owner of partition " + where.partition() + " (" + StreamsPlacement.name(where.activeHost())
                        + ") did not answer: " + e.getStatus().getCode()
                        + "; set max_lag_records to accept an answer from a standby", config.retryAfter());
            }
            return fromStandby(store, where, maxLag.getAsLong(), local, remote, e.getStatus().getCode());
        }
    }

    /** This instance first (no round trip), then the other standbys, within the caller's deadline. */
    private <R extends Message> R fromStandby(String store, KeyQueryMetadata where, long maxLag, Function<LocalCopy, R> local,
                                              RemoteRead<R> remote, Status.Code ownerFailure) {
        Deadline deadline = CallerContext.deadline(config.standbyTimeout());
        List<HostInfo> standbys = new ArrayList<>(where.standbyHosts());
        standbys.sort((a, b) -> Boolean.compare(!a.equals(placement.self()), !b.equals(placement.self())));
        for (HostInfo standby : standbys) {
            try {
                return standby.equals(placement.self()) ? readHere(store, where, maxLag, local)
                        : ask(standby, deadline, CallerContext.Scope.STANDBY, OptionalLong.of(maxLag), remote);
            } catch (StatusRuntimeException e) {
                LOG.debugf("standby %s of %s-%d did not answer: %s", standby, store, where.partition(), e.getStatus());
            }
        }
        throw QueryErrors.unavailable("the owner of partition " + where.partition() + " (" + StreamsPlacement.name(where.activeHost())
                + ") did not answer (" + ownerFailure + ") and no standby within " + maxLag + " records could",
                config.retryAfter());
    }

    /** Reads this instance's copy: its role comes from this store's own placement, not from other sub-topologies' tasks. */
    private <R> R readHere(String store, KeyQueryMetadata where, long maxLag, Function<LocalCopy, R> local) {
        int partition = where.partition();
        if (placement.self().equals(where.activeHost())) {
            return local.apply(LocalCopy.active(store, partition));
        }
        OptionalLong lag = lags.lagOf(store, partition);
        if (lag.isEmpty() || lag.getAsLong() > maxLag) {
            throw QueryErrors.unavailable("the local copy of partition " + partition + " of " + store + " is "
                    + (lag.isEmpty() ? "not hosted here" : lag.getAsLong() + " records behind") + ", more than " + maxLag,
                    config.retryAfter());
        }
        return local.apply(LocalCopy.standby(store, partition, lag.getAsLong()));
    }

    private <R extends Message> R ask(HostInfo host, Deadline deadline, CallerContext.Scope scope, OptionalLong maxLag,
                                      RemoteRead<R> remote) {
        Metadata headers = CallerContext.forwardHeaders(scope, CallerContext.authorization(), maxLag);
        return receivedHere(Peers.await(peers.ask(host, deadline, headers, remote), deadline).answer());
    }

    /** A forwarded answer names this instance as the one that received the call. */
    @SuppressWarnings("unchecked")
    private <R extends Message> R receivedHere(R answer) {
        FieldDescriptor field = answer.getDescriptorForType().findFieldByName("metadata");
        if (field == null || field.getMessageType() != ResponseMetadata.getDescriptor()) {
            throw new IllegalArgumentException(answer.getDescriptorForType().getFullName() + " carries no ResponseMetadata");
        }
        ResponseMetadata metadata = (ResponseMetadata) answer.getField(field);
        return (R) answer.toBuilder().setField(field, metadata.toBuilder().setReceivedBy(self()).build()).build();
    }

    private String self() {
        return StreamsPlacement.name(placement.self());
    }

    private static boolean unreachable(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }
}
