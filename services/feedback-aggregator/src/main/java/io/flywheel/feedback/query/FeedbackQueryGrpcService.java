package io.flywheel.feedback.query;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.feedback.topology.FeedbackStores;
import io.flywheel.feedback.topology.KeyIndex;
import io.flywheel.model.AggregateKey;
import io.flywheel.query.v1.FeedbackQueryService;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.query.v1.TopKeysRequest;
import io.flywheel.query.v1.TopKeysResponse;
import io.flywheel.query.v1.WatchKeyEvent;
import io.flywheel.query.v1.WatchKeyRequest;
import io.flywheel.runtime.query.ActivePartitions;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.Listing;
import io.flywheel.runtime.query.PartitionReader;
import io.flywheel.runtime.query.QueryEdge;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.runtime.query.Shares;
import io.flywheel.state.v1.DriftState;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;

/** Feedback statistics over gRPC, from any instance: validates each request and hands it to the query edge. */
@GrpcService
public class FeedbackQueryGrpcService implements FeedbackQueryService {

    static final int MAX_KEY_PART_LENGTH = 256;
    static final int MAX_BUCKETS = 1000;
    static final int MAX_TOP_K = 1000;
    /** Upper bound of a range over one model key's buckets: above every ISO-8601 instant. */
    private static final String AFTER_ALL_BUCKETS = "@\uffff";
    private static final Listing<ListKeysResponse, KeyStats> KEY_LISTING = Listing.of(ListKeysResponse::getKeysList,
            FeedbackQueryGrpcService::encodedKey, (keys, nextPageToken, servers) -> ListKeysResponse.newBuilder()
                    .addAllKeys(keys).setNextPageToken(nextPageToken).addAllServers(servers).build());

    private final QueryEdge edge;
    private final AggregateChangeFeed changes;

    public FeedbackQueryGrpcService(QueryEdge edge, AggregateChangeFeed changes) {
        this.edge = edge;
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
        WatchKeyEvent event = WatchKeyEvent.newBuilder().setKey(request.getKey()).setMetadata(edge.acrossPartitions()).build();
        return changes.watch(key.encode()).map(change ->
                event.toBuilder().setAllTime(change.aggregate()).setSnapshot(change.snapshot()).build());
    }

    GetStatsResponse stats(GetStatsRequest request) {
        AggregateKey key = modelKey(request.hasKey() ? request.getKey() : null);
        int lastBuckets = QueryErrors.requireRange("last_buckets", request.getLastBuckets(), 0, MAX_BUCKETS);
        return edge.point(FeedbackStores.AGGREGATES_STORE, key.encode(),
                QueryEdge.maxLag(request.hasMaxLagRecords(), request.getMaxLagRecords()),
                reader -> statsOf(reader, request.getKey(), key, lastBuckets),
                channel -> FeedbackQueryServiceGrpc.newFutureStub(channel).getStats(request));
    }

    private static GetStatsResponse statsOf(PartitionReader reader, ModelKey requested, AggregateKey key, int lastBuckets) {
        String storeKey = key.encode();
        FeedbackAggregate allTime = reader.<String, FeedbackAggregate>get(storeKey).orElseThrow(() -> QueryErrors.notFound(
                "no feedback recorded for model '" + key.modelName() + "' version '" + key.modelVersion()
                        + "' prompt_version '" + key.promptVersion() + "'"));
        GetStatsResponse.Builder response = GetStatsResponse.newBuilder().setKey(requested).setAllTime(allTime)
                .addAllBuckets(recentBuckets(reader, storeKey, lastBuckets)).setMetadata(reader.metadata());
        reader.<String, DriftState>get(FeedbackStores.DRIFT_STORE, storeKey)
                .filter(DriftState::hasLastAlert)
                .ifPresent(drift -> response.setLastAlert(drift.getLastAlert()));
        return response.build();
    }

    /** The key's {@code lastBuckets} most recent cohort buckets, newest first. */
    private static List<FeedbackAggregate> recentBuckets(PartitionReader reader, String storeKey, int lastBuckets) {
        if (lastBuckets == 0) {
            return List.of();
        }
        return reader.<String, FeedbackAggregate>range(FeedbackStores.AGGREGATES_STORE, storeKey + "@", storeKey + AFTER_ALL_BUCKETS)
                .stream()
                .sorted(Comparator.comparing((KeyValue<String, FeedbackAggregate> kv) -> kv.key).reversed())
                .limit(lastBuckets)
                .map(kv -> kv.value)
                .toList();
    }

    ListKeysResponse keys(ListKeysRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        String prefix = modelPrefix(request.getModelName());
        String from = KeyIndex.BY_KEY + Objects.requireNonNullElse(rangeStart(page, prefix), "");
        String to = KeyIndex.BY_KEY + (prefix == null ? KeyIndex.END : prefix + KeyIndex.END);
        // size + 2: the range includes the token's own key, which the share then leaves out.
        return edge.page(FeedbackStores.KEY_INDEX_STORE, KEY_LISTING, page,
                here -> indexedKeys(here, KeyIndex.BY_KEY, from, to, page.size() + 2, 0),
                channel -> FeedbackQueryServiceGrpc.newFutureStub(channel).listKeys(request));
    }

    /** Where a page's range over the store starts: after the token's key, within the model's prefix. */
    private static String rangeStart(KeysetPage page, String prefix) {
        String after = page.afterKey().orElse(null);
        return prefix == null || (after != null && after.compareTo(prefix) > 0) ? after : prefix;
    }

    TopKeysResponse top(TopKeysRequest request) {
        int k = QueryErrors.requireRange("k", request.getK(), 1, MAX_TOP_K);
        Comparator<KeyStats> ranking = ranking(request.getRankBy());
        if (request.getMinVotes() < 0) {
            throw QueryErrors.invalidArgument("min_votes must be 0 or more, got " + request.getMinVotes());
        }
        String byRank = request.getRankBy() == TopKeysRequest.Ranking.VOLUME ? KeyIndex.BY_VOLUME : KeyIndex.BY_APPROVAL;
        return edge.fanOut(FeedbackStores.KEY_INDEX_STORE,
                here -> topKeys(Shares.best(indexedKeys(here, byRank, byRank, byRank + KeyIndex.END, k, request.getMinVotes()), ranking, k),
                        List.of()),
                channel -> FeedbackQueryServiceGrpc.newFutureStub(channel).topKeys(request),
                shares -> topKeys(Shares.best(shares.entries(TopKeysResponse::getKeysList), ranking, k), shares.outcomes()));
    }

    private static TopKeysResponse topKeys(List<KeyStats> keys, List<ServerOutcome> servers) {
        return TopKeysResponse.newBuilder().addAllKeys(keys).addAllServers(servers).build();
    }

    /**
     * Of each partition of the share, the first {@code limit} all-time aggregates in [from, to] of
     * one part of the key index with at least {@code minVotes} thumbs: reads stop there.
     */
    private static List<KeyStats> indexedKeys(ActivePartitions here, String part, String from, String to, int limit, long minVotes) {
        int rankLength = part.equals(KeyIndex.BY_KEY) ? 0 : KeyIndex.RANK_LENGTH;
        return here.<String, FeedbackAggregate>first(from, to, limit,
                        aggregate -> aggregate.getThumbsUp() + aggregate.getThumbsDown() >= minVotes).stream()
                .map(entry -> keyStats(entry.key.substring(part.length() + rankLength), entry.value))
                .toList();
    }

    /** The store-key prefix of every key of one model; null for every model. */
    private static String modelPrefix(String modelName) {
        if (modelName.length() > MAX_KEY_PART_LENGTH) {
            throw QueryErrors.invalidArgument("model_name is longer than " + MAX_KEY_PART_LENGTH + " characters");
        }
        return modelName.isEmpty() ? null : AggregateKey.allTime(modelName, "", "").encode().split("/", 2)[0] + "/";
    }

    static Comparator<KeyStats> ranking(TopKeysRequest.Ranking rankBy) {
        Map<TopKeysRequest.Ranking, Comparator<KeyStats>> rankings = Map.of(
                TopKeysRequest.Ranking.APPROVAL, Comparator.comparingDouble(s -> s.getAllTime().getApprovalWilsonLower()),
                TopKeysRequest.Ranking.VOLUME, Comparator.comparingLong(s -> KeyIndex.volume(s.getAllTime())));
        Comparator<KeyStats> primary = rankings.get(rankBy);
        if (primary == null) {
            throw QueryErrors.invalidArgument("rank_by must be APPROVAL or VOLUME");
        }
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
}
