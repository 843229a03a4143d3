package io.flywheel.feedback.query;

import io.flywheel.feedback.topology.FeedbackStores;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.feedback.topology.FeedbackTopology;
import io.flywheel.model.AggregateKey;
import io.flywheel.query.v1.FeedbackQueryService;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.TopKeysRequest;
import io.flywheel.query.v1.TopKeysResponse;
import io.flywheel.query.v1.WatchKeyEvent;
import io.flywheel.query.v1.WatchKeyRequest;
import io.flywheel.runtime.query.CallerContext;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.PeerChannels;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.runtime.query.StoreRouter;
import io.flywheel.state.v1.DriftState;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;

/** Feedback statistics over gRPC, from any instance: maps requests to the shared router. */
@GrpcService
public class FeedbackQueryGrpcService implements FeedbackQueryService {

    static final int MAX_KEY_PART_LENGTH = 256;
    static final int MAX_BUCKETS = 1000;
    static final int MAX_TOP_K = 1000;
    private static final StringSerializer KEYS = new StringSerializer();
    /** Upper bound of a range over one model key's buckets: above every ISO-8601 instant. */
    private static final String AFTER_ALL_BUCKETS = "@\uffff";

    private final StoreRouter router;
    private final AggregateChangeFeed changes;

    public FeedbackQueryGrpcService(StoreRouter router, AggregateChangeFeed changes) {
        this.router = router;
        this.changes = changes;
    }

    @Override
    @Blocking
    public Uni<GetStatsResponse> getStats(GetStatsRequest request) {
        return Uni.createFrom().item(() -> stats(request));
    }

    @Override
    @Blocking
    public Uni<ListKeysResponse> listKeys(ListKeysRequest request) {
        return Uni.createFrom().item(() -> keys(request));
    }

    @Override
    @Blocking
    public Uni<TopKeysResponse> topKeys(TopKeysRequest request) {
        return Uni.createFrom().item(() -> top(request));
    }

    @Override
    public Multi<WatchKeyEvent> watchKey(WatchKeyRequest request) {
        AggregateKey key;
        try {
            key = modelKey(request.hasKey() ? request.getKey() : null);
        } catch (RuntimeException e) {
            return Multi.createFrom().failure(e);
        }
        ModelKey requested = request.getKey();
        ResponseMetadata metadata = ResponseMetadata.newBuilder()
                .setServedBy(router.self()).setReceivedBy(router.self()).setPartition(-1).build();
        return changes.watch(key.encode()).map(change -> WatchKeyEvent.newBuilder()
                .setKey(requested)
                .setAllTime(change.aggregate())
                .setSnapshot(change.snapshot())
                .setMetadata(metadata)
                .build());
    }

    GetStatsResponse stats(GetStatsRequest request) {
        AggregateKey key = modelKey(request.hasKey() ? request.getKey() : null);
        int lastBuckets = QueryErrors.requireRange("last_buckets", request.getLastBuckets(), 0, MAX_BUCKETS);
        OptionalLong maxLag = OptionalLong.empty();
        if (request.hasMaxLagRecords()) {
            if (request.getMaxLagRecords() < 0) {
                throw QueryErrors.invalidArgument("max_lag_records must be 0 or more, got " + request.getMaxLagRecords());
            }
            maxLag = OptionalLong.of(request.getMaxLagRecords());
        }
        String storeKey = key.encode();
        GetStatsResponse answer = router.route(FeedbackStores.AGGREGATES_STORE, storeKey, KEYS, maxLag,
                reader -> {
                    Optional<FeedbackAggregate> allTime = reader.get(storeKey);
                    if (allTime.isEmpty()) {
                        throw QueryErrors.notFound("no feedback recorded for model '" + key.modelName() + "' version '"
                                + key.modelVersion() + "' prompt_version '" + key.promptVersion() + "'");
                    }
                    List<KeyValue<String, FeedbackAggregate>> buckets = lastBuckets == 0 ? List.of()
                            : reader.range(FeedbackStores.AGGREGATES_STORE, storeKey + "@", storeKey + AFTER_ALL_BUCKETS);
                    GetStatsResponse.Builder response = GetStatsResponse.newBuilder()
                            .setKey(request.getKey())
                            .setAllTime(allTime.get())
                            .setMetadata(reader.metadata());
                    buckets.stream()
                            .sorted(Comparator.comparing((KeyValue<String, FeedbackAggregate> kv) -> kv.key).reversed())
                            .limit(lastBuckets)
                            .forEach(kv -> response.addBuckets(kv.value));
                    reader.<String, DriftState>get(FeedbackStores.DRIFT_STORE, storeKey)
                            .filter(DriftState::hasLastAlert)
                            .ifPresent(drift -> response.setLastAlert(drift.getLastAlert()));
                    return response.build();
                },
                (channel, deadline, headers) -> stub(channel, deadline, headers).getStats(request));
        return answer.toBuilder().setMetadata(answer.getMetadata().toBuilder().setReceivedBy(router.self())).build();
    }

    ListKeysResponse keys(ListKeysRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        String modelName = request.getModelName();
        if (modelName.length() > MAX_KEY_PART_LENGTH) {
            throw QueryErrors.invalidArgument("model_name is longer than " + MAX_KEY_PART_LENGTH + " characters");
        }
        String prefix = modelName.isEmpty() ? null : AggregateKey.allTime(modelName, "", "").encode().split("/", 2)[0] + "/";
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            // Part of another instance's fan-out: send the uncut share so the caller can page.
            router.requireQueryable();
            return localKeys(page, prefix);
        }
        List<StoreRouter.ServerAnswer<ListKeysResponse>> answers = router.fanOut(
                () -> localKeys(page, prefix),
                (channel, deadline, headers) -> stub(channel, deadline, headers).listKeys(request));
        List<KeyStats> all = new ArrayList<>();
        ListKeysResponse.Builder response = ListKeysResponse.newBuilder();
        for (StoreRouter.ServerAnswer<ListKeysResponse> answer : answers) {
            answer.answer().ifPresent(part -> all.addAll(part.getKeysList()));
            response.addServers(answer.outcome());
        }
        KeysetPage.Page<KeyStats> cut = page.cut(all, FeedbackQueryGrpcService::encodedKey);
        return response.addAllKeys(cut.entries()).setNextPageToken(cut.nextPageToken()).build();
    }

    private ListKeysResponse localKeys(KeysetPage page, String prefix) {
        String from = prefix;
        if (page.afterKey().isPresent() && (from == null || page.afterKey().get().compareTo(from) > 0)) {
            from = page.afterKey().get();
        }
        String to = prefix == null ? null : prefix + "\uffff";
        List<KeyStats> local = new ArrayList<>();
        for (KeyValue<String, FeedbackAggregate> entry : router.<String, FeedbackAggregate>activeRange(FeedbackStores.AGGREGATES_STORE, from, to)) {
            if (entry.key.indexOf('@') < 0 && page.admits(entry.key)) {
                local.add(keyStats(entry.key, entry.value));
            }
        }
        return ListKeysResponse.newBuilder().addAllKeys(page.shareOf(local, FeedbackQueryGrpcService::encodedKey)).build();
    }

    TopKeysResponse top(TopKeysRequest request) {
        int k = QueryErrors.requireRange("k", request.getK(), 1, MAX_TOP_K);
        if (request.getRankBy() != TopKeysRequest.Ranking.APPROVAL && request.getRankBy() != TopKeysRequest.Ranking.VOLUME) {
            throw QueryErrors.invalidArgument("rank_by must be APPROVAL or VOLUME");
        }
        if (request.getMinVotes() < 0) {
            throw QueryErrors.invalidArgument("min_votes must be 0 or more, got " + request.getMinVotes());
        }
        Comparator<KeyStats> ranking = ranking(request.getRankBy());
        List<StoreRouter.ServerAnswer<TopKeysResponse>> answers = router.fanOut(
                () -> TopKeysResponse.newBuilder().addAllKeys(localTop(k, request.getMinVotes(), ranking)).build(),
                (channel, deadline, headers) -> stub(channel, deadline, headers).topKeys(request));
        List<KeyStats> all = new ArrayList<>();
        TopKeysResponse.Builder response = TopKeysResponse.newBuilder();
        for (StoreRouter.ServerAnswer<TopKeysResponse> answer : answers) {
            answer.answer().ifPresent(part -> all.addAll(part.getKeysList()));
            response.addServers(answer.outcome());
        }
        all.sort(ranking);
        return response.addAllKeys(all.subList(0, Math.min(k, all.size()))).build();
    }

    private List<KeyStats> localTop(int k, long minVotes, Comparator<KeyStats> ranking) {
        List<KeyStats> local = new ArrayList<>();
        for (KeyValue<String, FeedbackAggregate> entry : router.<String, FeedbackAggregate>activeRange(FeedbackStores.AGGREGATES_STORE, null, null)) {
            FeedbackAggregate aggregate = entry.value;
            if (entry.key.indexOf('@') < 0 && aggregate.getThumbsUp() + aggregate.getThumbsDown() >= minVotes) {
                local.add(keyStats(entry.key, aggregate));
            }
        }
        local.sort(ranking);
        return local.subList(0, Math.min(k, local.size()));
    }

    static Comparator<KeyStats> ranking(TopKeysRequest.Ranking rankBy) {
        Comparator<KeyStats> primary = rankBy == TopKeysRequest.Ranking.APPROVAL
                ? Comparator.comparingDouble((KeyStats s) -> s.getAllTime().getApprovalWilsonLower())
                : Comparator.comparingLong((KeyStats s) -> s.getAllTime().getThumbsUp() + s.getAllTime().getThumbsDown()
                        + s.getAllTime().getRatingCount());
        return primary.reversed().thenComparing(FeedbackQueryGrpcService::encodedKey);
    }

    static AggregateKey modelKey(ModelKey key) {
        if (key == null) {
            throw QueryErrors.invalidArgument("key is required: model_name, model_version and prompt_version");
        }
        QueryErrors.requireText("key.model_name", key.getModelName(), MAX_KEY_PART_LENGTH);
        if (key.getModelVersion().length() > MAX_KEY_PART_LENGTH) {
            throw QueryErrors.invalidArgument("key.model_version is longer than " + MAX_KEY_PART_LENGTH + " characters");
        }
        if (key.getPromptVersion().length() > MAX_KEY_PART_LENGTH) {
            throw QueryErrors.invalidArgument("key.prompt_version is longer than " + MAX_KEY_PART_LENGTH + " characters");
        }
        return AggregateKey.allTime(key.getModelName(), key.getModelVersion(), key.getPromptVersion());
    }

    private static KeyStats keyStats(String encodedKey, FeedbackAggregate aggregate) {
        AggregateKey key = AggregateKey.decode(encodedKey);
        return KeyStats.newBuilder()
                .setKey(ModelKey.newBuilder().setModelName(key.modelName()).setModelVersion(key.modelVersion())
                        .setPromptVersion(key.promptVersion()))
                .setAllTime(aggregate)
                .build();
    }

    private static String encodedKey(KeyStats stats) {
        return AggregateKey.allTime(stats.getKey().getModelName(), stats.getKey().getModelVersion(),
                stats.getKey().getPromptVersion()).encode();
    }

    private static FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub stub(Channel channel, Deadline deadline, Metadata headers) {
        return PeerChannels.forwarded(FeedbackQueryServiceGrpc.newBlockingStub(channel), deadline, headers);
    }
}
