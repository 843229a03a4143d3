package io.flywheel.runtime.query;

import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.runtime.streams.StreamsLifecycle;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one routing layer: point queries answered where the key lives (locally through
 * interactive queries, or forwarded to the owner over a pooled channel with the caller's deadline and
 * credentials, or by a standby within the caller's lag bound), and fan-out queries answered by
 * every instance for its own active partitions, with a per-server outcome.
 */
@ApplicationScoped
public class StoreRouter {

    private static final Logger LOG = Logger.getLogger(StoreRouter.class);

    private final KafkaStreams streams;
    private final StreamsLifecycle lifecycle;
    private final QueryConfig config;
    private final PeerChannels peers;
    private final HostInfo self;
    private final ExecutorService fanOutPool = Executors.newFixedThreadPool(4, daemon("flywheel-fan-out"));
    private final ScheduledExecutorService lagRefresher = Executors.newSingleThreadScheduledExecutor(daemon("flywheel-lags"));
    private volatile Map<String, Map<Integer, LagInfo>> cachedLags = Map.of();

    public StoreRouter(KafkaStreams streams, StreamsLifecycle lifecycle, QueryConfig config, PeerChannels peers,
                       @ConfigProperty(name = "quarkus.kafka-streams.application-server") Optional<String> applicationServer) {
        this.streams = streams;
        this.lifecycle = lifecycle;
        this.config = config;
        this.peers = peers;
        this.self = applicationServer.map(HostInfo::buildFromEndpoint).orElse(new HostInfo("localhost", 0));
    }

    void start(@Observes StartupEvent event) {
        long every = Math.max(100, config.lagRefreshInterval().toMillis());
        lagRefresher.scheduleWithFixedDelay(this::refreshLags, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        lagRefresher.shutdownNow();
        fanOutPool.shutdownNow();
    }

    /** This instance's {@code application.server}. */
    public String self() {
        return self.host() + ":" + self.port();
    }

    /** Fails with UNAVAILABLE (and a retry hint) unless the stores can answer now. */
    public void requireQueryable() {
        if (!lifecycle.isQueryable()) {
            throw QueryErrors.unavailable("state stores are not queryable while Kafka Streams is "
                    + lifecycle.state() + " (starting or rebalancing)", config.retryAfter());
        }
    }

    /** Reads one partition's local store copy for a point query. */
    @FunctionalInterface
    public interface LocalRead<R> {
        R read(PartitionReader reader);
    }

    /** Asks another instance the same question. */
    @FunctionalInterface
    public interface RemoteRead<R> {
        R call(Channel channel, Deadline deadline, Metadata headers);
    }

    /**
     * Answers a point query for {@code key} of {@code store} where it lives.
     *
     * @param maxLag the caller's staleness allowance (records); empty: the active copy only
     */
    public <K, R> R route(String store, K key, Serializer<K> keySerializer, OptionalLong maxLag,
                          LocalRead<R> local, RemoteRead<R> remote) {
        requireQueryable();
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, keySerializer);
        if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE || owner.activeHost() == null) {
            throw QueryErrors.unavailable("no instance owns " + store + " for this key yet", config.retryAfter());
        }
        int partition = owner.partition();
        CallerContext.Scope scope = CallerContext.scope();
        if (scope == CallerContext.Scope.STANDBY) {
            return readStandby(store, partition, CallerContext.standbyMaxLag().orElse(0), local);
        }
        if (owner.activeHost().equals(self)) {
            return local.read(new PartitionReader(store, partition, ResponseMetadata.Role.ACTIVE, 0));
        }
        if (scope == CallerContext.Scope.ACTIVE) {
            throw QueryErrors.unavailable("partition " + partition + " of " + store + " moved away from " + self()
                    + " while the call was forwarded", config.retryAfter());
        }
        Deadline deadline = callerDeadline();
        try {
            return remote.call(peers.channelTo(owner.activeHost()), deadline,
                    CallerContext.forwardHeaders(CallerContext.Scope.ACTIVE, CallerContext.authorization(), OptionalLong.empty()));
        } catch (StatusRuntimeException e) {
            if (!isUnreachable(e) || maxLag.isEmpty()) {
                if (isUnreachable(e)) {
                    throw QueryErrors.unavailable("the owner of partition " + partition + " (" + owner.activeHost()
                            + ") did not answer: " + e.getStatus().getCode()
                            + "; set max_lag_records to accept an answer from a standby", config.retryAfter());
                }
                throw e;
            }
            return answerFromStandby(store, owner, maxLag.getAsLong(), local, remote, e);
        }
    }

    private <R> R answerFromStandby(String store, KeyQueryMetadata owner, long maxLag, LocalRead<R> local,
                                    RemoteRead<R> remote, StatusRuntimeException ownerFailure) {
        int partition = owner.partition();
        if (owner.standbyHosts().contains(self)) {
            return readStandby(store, partition, maxLag, local);
        }
        Deadline standbyDeadline = Deadline.after(config.standbyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        for (HostInfo standby : owner.standbyHosts()) {
            try {
                return remote.call(peers.channelTo(standby), standbyDeadline, CallerContext.forwardHeaders(
                        CallerContext.Scope.STANDBY, CallerContext.authorization(), OptionalLong.of(maxLag)));
            } catch (StatusRuntimeException e) {
                LOG.debugf("standby %s of %s-%d did not answer: %s", standby, store, partition, e.getStatus());
            }
        }
        throw QueryErrors.unavailable("the owner of partition " + partition + " (" + owner.activeHost()
                + ") did not answer (" + ownerFailure.getStatus().getCode() + ") and no standby within "
                + maxLag + " records could", config.retryAfter());
    }

    private <R> R readStandby(String store, int partition, long maxLag, LocalRead<R> local) {
        LagInfo lag = cachedLags.getOrDefault(store, Map.of()).get(partition);
        boolean active = streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .anyMatch(tp -> tp.partition() == partition);
        long behind = lag == null ? Long.MAX_VALUE : lag.offsetLag();
        if (!active && behind > maxLag) {
            throw QueryErrors.unavailable("the local copy of partition " + partition + " of " + store + " is "
                    + (lag == null ? "not hosted here" : behind + " records behind") + ", more than " + maxLag,
                    config.retryAfter());
        }
        return local.read(new PartitionReader(store, partition,
                active ? ResponseMetadata.Role.ACTIVE : ResponseMetadata.Role.STANDBY, active ? 0 : behind));
    }

    /** Reads one partition of a local store, as active or standby. */
    public final class PartitionReader {
        private final String store;
        private final int partition;
        private final ResponseMetadata.Role role;
        private final long lag;

        PartitionReader(String store, int partition, ResponseMetadata.Role role, long lag) {
            this.store = store;
            this.partition = partition;
            this.role = role;
            this.lag = lag;
        }

        public <K, V> Optional<V> get(K key) {
            return readKey(store, key, partition, role == ResponseMetadata.Role.ACTIVE);
        }

        /** Reads another store of the same task (co-partitioned with the routed one). */
        public <K, V> Optional<V> get(String otherStore, K key) {
            return readKey(otherStore, key, partition, role == ResponseMetadata.Role.ACTIVE);
        }

        /** Range over the same partition of a store (inclusive bounds). */
        public <K, V> List<KeyValue<K, V>> range(String otherStore, K from, K to) {
            return readRange(otherStore, from, to, partition, role == ResponseMetadata.Role.ACTIVE);
        }

        public ResponseMetadata metadata() {
            return ResponseMetadata.newBuilder()
                    .setServedBy(self())
                    .setReceivedBy(self())
                    .setRole(role)
                    .setPartition(partition)
                    .setLagRecords(lag)
                    .build();
        }
    }

    // Reads go through IQv1 store handles, not IQv2 StateQueryRequests: in Kafka 4.1 an IQv2
    // query on a RocksDB store can deadlock with the stream thread's put (KAFKA-19629).
    private <K, V> ReadOnlyKeyValueStore<K, V> localStore(String store, Integer partition, boolean requireActive) {
        StoreQueryParameters<ReadOnlyKeyValueStore<K, V>> parameters =
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<K, V>keyValueStore());
        if (partition != null) {
            parameters = parameters.withPartition(partition);
        }
        if (!requireActive) {
            parameters = parameters.enableStaleStores();
        }
        try {
            return streams.store(parameters);
        } catch (InvalidStateStoreException e) {
            throw QueryErrors.unavailable((partition == null ? store : "partition " + partition + " of " + store)
                    + " cannot answer here now: " + e.getMessage(), config.retryAfter());
        }
    }

    private <K, V> Optional<V> readKey(String store, K key, int partition, boolean requireActive) {
        ReadOnlyKeyValueStore<K, V> local = localStore(store, partition, requireActive);
        try {
            return Optional.ofNullable(local.get(key));
        } catch (InvalidStateStoreException e) {
            throw QueryErrors.unavailable("partition " + partition + " of " + store + " moved while reading: "
                    + e.getMessage(), config.retryAfter());
        }
    }

    /**
     * All entries of the local active partitions of {@code store} in [from, to] (null bounds are
     * open), unordered across partitions.
     */
    public <K, V> List<KeyValue<K, V>> activeRange(String store, K from, K to) {
        requireQueryable();
        return readRange(store, from, to, null, true);
    }

    private <K, V> List<KeyValue<K, V>> readRange(String store, K from, K to, Integer partition, boolean requireActive) {
        ReadOnlyKeyValueStore<K, V> local = localStore(store, partition, requireActive);
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (KeyValueIterator<K, V> iterator = from == null && to == null ? local.all() : local.range(from, to)) {
            iterator.forEachRemaining(entries::add);
        } catch (InvalidStateStoreException e) {
            throw QueryErrors.unavailable(store + " moved while reading: " + e.getMessage(), config.retryAfter());
        }
        return entries;
    }

    /** One server's part of a fan-out. */
    public record ServerAnswer<R>(String server, Optional<R> answer, Optional<Status> failure) {
        public ServerOutcome outcome() {
            ServerOutcome.Builder outcome = ServerOutcome.newBuilder().setServer(server).setOk(answer.isPresent());
            failure.ifPresent(status -> outcome.setError(status.getCode() + ": " + status.getDescription()));
            return outcome.build();
        }
    }

    /**
     * Asks every instance (this one locally, the others with scope LOCAL_PARTITIONS) and collects
     * each one's answer or failure. A call that is itself part of a fan-out answers locally only.
     */
    public <R> List<ServerAnswer<R>> fanOut(java.util.function.Supplier<R> local, RemoteRead<R> remote) {
        requireQueryable();
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            return List.of(new ServerAnswer<>(self(), Optional.of(local.get()), Optional.empty()));
        }
        Deadline deadline = callerDeadline();
        Optional<String> authorization = CallerContext.authorization();
        Map<HostInfo, Future<R>> calls = new LinkedHashMap<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            HostInfo host = instance.hostInfo();
            if (!host.equals(self)) {
                Metadata headers = CallerContext.forwardHeaders(CallerContext.Scope.LOCAL_PARTITIONS, authorization, OptionalLong.empty());
                calls.put(host, fanOutPool.submit(() -> remote.call(peers.channelTo(host), deadline, headers)));
            }
        }
        List<ServerAnswer<R>> answers = new ArrayList<>();
        try {
            answers.add(new ServerAnswer<>(self(), Optional.of(local.get()), Optional.empty()));
        } catch (StatusRuntimeException e) {
            answers.add(new ServerAnswer<>(self(), Optional.empty(), Optional.of(e.getStatus())));
        }
        for (Map.Entry<HostInfo, Future<R>> call : calls.entrySet()) {
            String server = call.getKey().host() + ":" + call.getKey().port();
            try {
                long waitMs = Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
                answers.add(new ServerAnswer<>(server, Optional.of(call.getValue().get(waitMs, TimeUnit.MILLISECONDS)), Optional.empty()));
            } catch (ExecutionException e) {
                Status status = e.getCause() instanceof StatusRuntimeException sre ? sre.getStatus()
                        : Status.UNKNOWN.withDescription(String.valueOf(e.getCause()));
                answers.add(new ServerAnswer<>(server, Optional.empty(), Optional.of(status)));
            } catch (java.util.concurrent.TimeoutException e) {
                call.getValue().cancel(true);
                answers.add(new ServerAnswer<>(server, Optional.empty(), Optional.of(Status.DEADLINE_EXCEEDED)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
            }
        }
        return Collections.unmodifiableList(answers);
    }

    private Deadline callerDeadline() {
        Deadline fallback = Deadline.after(config.forwardTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Deadline caller = Context.current().getDeadline();
        return caller == null ? fallback : caller.minimum(fallback);
    }

    private static boolean isUnreachable(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    private void refreshLags() {
        try {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) {
                cachedLags = streams.allLocalStorePartitionLags();
            }
        } catch (RuntimeException e) {
            LOG.debugf("could not refresh store lags: %s", e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
