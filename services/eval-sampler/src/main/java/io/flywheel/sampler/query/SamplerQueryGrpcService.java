package io.flywheel.sampler.query;

import io.flywheel.sampler.topology.SamplerStores;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.GetFeedbackStatsRequest;
import io.flywheel.query.v1.GetFeedbackStatsResponse;
import io.flywheel.query.v1.GetSamplingPolicyRequest;
import io.flywheel.query.v1.GetSamplingPolicyResponse;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.GetStratumStatsResponse;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.SamplerQueryService;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.StratumPolicy;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.runtime.query.CallerContext;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.QueryConfig;
import io.flywheel.runtime.query.PeerChannels;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.runtime.query.StoreRouter;
import io.flywheel.sampler.sampling.ConversationDraw;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.topology.SamplerSettings;
import io.flywheel.sampler.topology.SamplerStateCodec;
import io.flywheel.sampler.topology.SamplerTopology;
import io.flywheel.sampler.topology.SkippedAlerts;
import io.flywheel.state.v1.SamplerTaskState;
import io.flywheel.state.v1.StratumTallyState;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;

/** Sampling statistics and policy over gRPC, from any instance: maps requests to the shared router. */
@GrpcService
public class SamplerQueryGrpcService implements SamplerQueryService {

    /** Longest stratum text accepted (model and locale, URL-encoded). */
    static final int MAX_STRATUM_LENGTH = 512;

    private final StoreRouter router;
    private final SamplerSettings settings;
    private final SkippedAlerts skippedAlerts;
    private final QueryConfig queryConfig;
    private final String saltFingerprint;

    public SamplerQueryGrpcService(StoreRouter router, SamplerSettings settings, SkippedAlerts skippedAlerts,
                                   QueryConfig queryConfig) {
        this.router = router;
        this.queryConfig = queryConfig;
        this.settings = settings;
        this.skippedAlerts = skippedAlerts;
        this.saltFingerprint = new ConversationDraw(settings.policy().salt()).saltFingerprint();
    }

    @Override
    @Blocking
    public Uni<GetStratumStatsResponse> getStratumStats(GetStratumStatsRequest request) {
        return Uni.createFrom().item(() -> stratumStats(request));
    }

    @Override
    @Blocking
    public Uni<ListStrataResponse> listStrata(ListStrataRequest request) {
        return Uni.createFrom().item(() -> strata(request));
    }

    @Override
    @Blocking
    public Uni<GetSamplingPolicyResponse> getSamplingPolicy(GetSamplingPolicyRequest request) {
        return Uni.createFrom().item(this::policy);
    }

    @Override
    @Blocking
    public Uni<GetFeedbackStatsResponse> getFeedbackStats(GetFeedbackStatsRequest request) {
        return Uni.createFrom().item(() -> feedbackStats(request));
    }

    GetStratumStatsResponse stratumStats(GetStratumStatsRequest request) {
        String stratum = canonicalStratum(request.getStratum());
        List<StoreRouter.ServerAnswer<GetStratumStatsResponse>> answers = router.fanOut(
                () -> localStratum(stratum),
                (channel, deadline, headers) -> stub(channel, deadline, headers).getStratumStats(request));
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            return answers.get(0).answer().orElseThrow();
        }
        GetStratumStatsResponse.Builder response = GetStratumStatsResponse.newBuilder();
        io.flywheel.sampler.sampling.StratumSummary merged = io.flywheel.sampler.sampling.StratumSummary.EMPTY;
        boolean found = false;
        boolean complete = true;
        for (StoreRouter.ServerAnswer<GetStratumStatsResponse> answer : answers) {
            response.addServers(answer.outcome());
            complete &= answer.answer().isPresent();
            if (answer.answer().isPresent() && answer.answer().get().hasStats()) {
                merged = merged.merge(SamplerStatsMessages.sums(answer.answer().get().getStats()));
                found = true;
            }
        }
        if (!found) {
            if (!complete) {
                throw QueryErrors.unavailable("stratum '" + stratum + "' was not found on the instances that answered, and "
                        + failures(response.getServersList()) + " did not answer", queryConfig.retryAfter());
            }
            throw QueryErrors.notFound("no completion of stratum '" + stratum + "' has been seen (strata are '<model>' or "
                    + "'<model>/<locale>', URL-encoded; ListStrata names them)");
        }
        return response.setStats(SamplerStatsMessages.stratum(stratum, merged)).build();
    }

    private GetStratumStatsResponse localStratum(String stratum) {
        io.flywheel.sampler.sampling.StratumSummary sum = io.flywheel.sampler.sampling.StratumSummary.EMPTY;
        boolean found = false;
        for (KeyValue<String, StratumTallyState> entry : router.<String, StratumTallyState>activeRange(
                SamplerStores.STRATA_STORE, stratum, stratum)) {
            sum = sum.merge(SamplerStateCodec.stats(entry.value.getStats()));
            found = true;
        }
        GetStratumStatsResponse.Builder local = GetStratumStatsResponse.newBuilder();
        if (found) {
            local.setStats(SamplerStatsMessages.stratum(stratum, sum));
        }
        return local.build();
    }

    ListStrataResponse strata(ListStrataRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        List<StoreRouter.ServerAnswer<ListStrataResponse>> answers = router.fanOut(
                () -> localStrata(page),
                (channel, deadline, headers) -> stub(channel, deadline, headers).listStrata(request));
        if (CallerContext.scope() == CallerContext.Scope.LOCAL_PARTITIONS) {
            // A share of a fan-out: one entry more than the page, uncut, so the merge can tell whether a next page exists.
            return answers.get(0).answer().orElseThrow();
        }
        Map<String, io.flywheel.sampler.sampling.StratumSummary> merged = new TreeMap<>();
        ListStrataResponse.Builder response = ListStrataResponse.newBuilder();
        for (StoreRouter.ServerAnswer<ListStrataResponse> answer : answers) {
            answer.answer().ifPresent(part -> part.getStrataList().forEach(stats ->
                    merged.merge(stats.getStratum(), SamplerStatsMessages.sums(stats), io.flywheel.sampler.sampling.StratumSummary::merge)));
            response.addServers(answer.outcome());
        }
        List<StratumStats> all = merged.entrySet().stream()
                .map(entry -> SamplerStatsMessages.stratum(entry.getKey(), entry.getValue()))
                .toList();
        KeysetPage.Page<StratumStats> cut = page.cut(all, StratumStats::getStratum);
        return response.addAllStrata(cut.entries()).setNextPageToken(cut.nextPageToken()).build();
    }

    private ListStrataResponse localStrata(KeysetPage page) {
        Map<String, io.flywheel.sampler.sampling.StratumSummary> sums = new TreeMap<>();
        for (KeyValue<String, StratumTallyState> entry : router.<String, StratumTallyState>activeRange(
                SamplerStores.STRATA_STORE, page.afterKey().orElse(null), null)) {
            if (page.admits(entry.key)) {
                sums.merge(entry.key, SamplerStateCodec.stats(entry.value.getStats()), io.flywheel.sampler.sampling.StratumSummary::merge);
            }
        }
        List<StratumStats> local = sums.entrySet().stream()
                .map(entry -> SamplerStatsMessages.stratum(entry.getKey(), entry.getValue()))
                .toList();
        return ListStrataResponse.newBuilder().addAllStrata(page.shareOf(local, StratumStats::getStratum)).build();
    }

    GetSamplingPolicyResponse policy() {
        SamplingPolicy policy = settings.policy();
        GetSamplingPolicyResponse.Builder response = GetSamplingPolicyResponse.newBuilder()
                .setDefaultStratum(stratumPolicy("", policy.defaultStratum()))
                .setStratifyByLocale(policy.stratifyByLocale())
                .setPeriod(policy.clock().period().toString())
                .setEpoch(policy.clock().epoch().toString())
                .setSaltFingerprint(saltFingerprint)
                .setSafetyRate(policy.safetyRate())
                .setDriftRate(policy.driftRate())
                .setNegativeFeedbackRate(policy.negativeFeedbackRate())
                .setBoostWindow(policy.boostWindow().toString())
                .setBoostGrace(policy.boostGrace().toString())
                .setBudgetTarget(policy.budgetTarget())
                .setForecastEpochs(policy.forecastEpochs())
                .setBurstAllowance(policy.burstAllowance())
                .setPartitions(settings.partitions())
                .setAlertsSkipped(skippedAlerts.count());
        policy.strata().forEach((stratum, terms) -> response.addStrata(stratumPolicy(stratum.encode(), terms)));
        for (KeyValue<String, DriftAlert> alert : router.<String, DriftAlert>activeRange(SamplerStores.DRIFT_ALERTS_STORE, null, null)) {
            if (alert.value.getState() == DriftAlert.State.FIRING) {
                response.addDriftingModelKeys(alert.key);
            }
        }
        return response.build();
    }

    private static StratumPolicy stratumPolicy(String stratum, io.flywheel.sampler.sampling.StratumQuota terms) {
        StratumPolicy.Builder message = StratumPolicy.newBuilder().setStratum(stratum).setBaseRate(terms.baseRate());
        OptionalLong budget = terms.budgetPerPeriod();
        budget.ifPresent(message::setBudgetPerPeriod);
        return message.build();
    }

    GetFeedbackStatsResponse feedbackStats(GetFeedbackStatsRequest request) {
        List<StoreRouter.ServerAnswer<GetFeedbackStatsResponse>> answers = router.fanOut(
                this::localFeedbackStats,
                (channel, deadline, headers) -> stub(channel, deadline, headers).getFeedbackStats(request));
        GetFeedbackStatsResponse.Builder response = GetFeedbackStatsResponse.newBuilder();
        FeedbackStats sum = FeedbackStats.getDefaultInstance();
        for (StoreRouter.ServerAnswer<GetFeedbackStatsResponse> answer : answers) {
            if (answer.answer().isPresent()) {
                sum = SamplerStatsMessages.sum(sum, answer.answer().get().getStats());
            }
            response.addServers(answer.outcome());
        }
        return response.setStats(sum).build();
    }

    private GetFeedbackStatsResponse localFeedbackStats() {
        FeedbackStats sum = FeedbackStats.getDefaultInstance();
        // The task store holds one entry per task: one per local active partition.
        for (KeyValue<String, SamplerTaskState> task : router.<String, SamplerTaskState>activeRange(SamplerStores.TASK_STORE, null, null)) {
            sum = SamplerStatsMessages.sum(sum, SamplerStatsMessages.feedback(SamplerStateCodec.feedback(task.value.getFeedback()),
                    task.value.getRememberedCompletions(), task.value.getHeldFeedback()));
        }
        return GetFeedbackStatsResponse.newBuilder().setStats(sum).build();
    }

    /** The canonical text of a requested stratum, or INVALID_ARGUMENT saying what is wrong. */
    static String canonicalStratum(String text) {
        QueryErrors.requireText("stratum", text, MAX_STRATUM_LENGTH);
        try {
            return StratumKey.decode(text).encode();
        } catch (IllegalArgumentException e) {
            throw QueryErrors.invalidArgument("stratum '" + text + "' is not a stratum: want '<model>' or '<model>/<locale>', "
                    + "each URL-encoded (ListStrata names them)");
        }
    }

    private static String failures(List<io.flywheel.query.v1.ServerOutcome> servers) {
        return servers.stream().filter(server -> !server.getOk()).map(server -> server.getServer() + " (" + server.getError() + ")")
                .collect(Collectors.joining(", "));
    }

    private static SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub stub(Channel channel, Deadline deadline, Metadata headers) {
        return PeerChannels.forwarded(SamplerQueryServiceGrpc.newBlockingStub(channel), deadline, headers);
    }
}
