package io.flywheel.sampler.query;

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
import io.flywheel.runtime.query.ActivePartitions;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.Listing;
import io.flywheel.runtime.query.QueryEdge;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.runtime.query.Shares;
import io.flywheel.sampler.sampling.ConversationDraw;
import io.flywheel.sampler.sampling.SamplingPolicy;
import io.flywheel.sampler.sampling.StratumKey;
import io.flywheel.sampler.sampling.StratumQuota;
import io.flywheel.sampler.sampling.StratumSummary;
import io.flywheel.sampler.topology.SamplerSettings;
import io.flywheel.sampler.topology.SamplerStateCodec;
import io.flywheel.sampler.topology.SamplerStores;
import io.flywheel.sampler.topology.SkippedAlerts;
import io.flywheel.state.v1.SamplerTaskState;
import io.flywheel.state.v1.StratumTallyState;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/** Sampling statistics and policy over gRPC, from any instance: validates each request and hands it to the query edge. */
@GrpcService
public class SamplerQueryGrpcService implements SamplerQueryService {

    /** Longest stratum text accepted (model and locale, URL-encoded). */
    static final int MAX_STRATUM_LENGTH = 512;
    /** Strata are counted per partition: the same stratum from several partitions or instances adds up. */
    private static final Listing<ListStrataResponse, StratumStats> STRATUM_LISTING = new Listing<>(
            ListStrataResponse::getStrataList, StratumStats::getStratum, SamplerStatsMessages::merge,
            (strata, nextPageToken, servers) -> ListStrataResponse.newBuilder()
                    .addAllStrata(strata).setNextPageToken(nextPageToken).addAllServers(servers).build());

    private final QueryEdge edge;
    private final SamplerSettings settings;
    private final SkippedAlerts skippedAlerts;
    private final String saltFingerprint;

    public SamplerQueryGrpcService(QueryEdge edge, SamplerSettings settings, SkippedAlerts skippedAlerts) {
        this.edge = edge;
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
        return edge.fanOut(SamplerStores.STRATA_STORE, here -> localStratum(here, stratum),
                channel -> SamplerQueryServiceGrpc.newFutureStub(channel).getStratumStats(request),
                shares -> mergedStratum(stratum, shares));
    }

    private static GetStratumStatsResponse mergedStratum(String stratum, Shares<GetStratumStatsResponse> shares) {
        shares.requireFound(GetStratumStatsResponse::hasStats, "stratum '" + stratum + "'", "no completion of stratum '"
                + stratum + "' has been seen (strata are '<model>' or '<model>/<locale>', URL-encoded; ListStrata names them)");
        StratumSummary sum = shares.fold(StratumSummary.EMPTY,
                answer -> answer.hasStats() ? SamplerStatsMessages.sums(answer.getStats()) : StratumSummary.EMPTY, StratumSummary::merge);
        return GetStratumStatsResponse.newBuilder().setStats(SamplerStatsMessages.stratum(stratum, sum))
                .addAllServers(shares.outcomes()).build();
    }

    private static GetStratumStatsResponse localStratum(ActivePartitions here, String stratum) {
        List<KeyValue<String, StratumTallyState>> tallies = here.range(stratum, stratum);
        GetStratumStatsResponse.Builder local = GetStratumStatsResponse.newBuilder();
        if (!tallies.isEmpty()) {
            local.setStats(SamplerStatsMessages.stratum(stratum, tallies.stream()
                    .map(entry -> SamplerStateCodec.stats(entry.value.getStats())).reduce(StratumSummary.EMPTY, StratumSummary::merge)));
        }
        return local.build();
    }

    ListStrataResponse strata(ListStrataRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        return edge.page(SamplerStores.STRATA_STORE, STRATUM_LISTING, page,
                here -> here.<String, StratumTallyState>range(page.afterKey().orElse(null), null).stream().map(entry -> SamplerStatsMessages.stratum(entry.key, SamplerStateCodec.stats(entry.value.getStats())))
                        .toList(),
                channel -> SamplerQueryServiceGrpc.newFutureStub(channel).listStrata(request));
    }

    /** Answered locally: every instance runs the same policy; drift alerts come from its active partitions. */
    GetSamplingPolicyResponse policy() {
        GetSamplingPolicyResponse.Builder response = policyTerms(settings.policy())
                .setSaltFingerprint(saltFingerprint)
                .setPartitions(settings.partitions())
                .setAlertsSkipped(skippedAlerts.count())
                .setAlertsPending(skippedAlerts.pendingCount());
        edge.<String, DriftAlert>global(SamplerStores.DRIFT_ALERTS_STORE).stream()
                .filter(alert -> alert.value.getState() == DriftAlert.State.FIRING)
                .forEach(alert -> response.addDriftingModelKeys(alert.key));
        return response.build();
    }

    private static GetSamplingPolicyResponse.Builder policyTerms(SamplingPolicy policy) {
        GetSamplingPolicyResponse.Builder terms = GetSamplingPolicyResponse.newBuilder()
                .setDefaultStratum(stratumPolicy("", policy.defaultStratum()))
                .setStratifyByLocale(policy.stratifyByLocale())
                .setPeriod(policy.clock().period().toString())
                .setEpoch(policy.clock().epoch().toString())
                .setSafetyRate(policy.safetyRate())
                .setDriftRate(policy.driftRate())
                .setNegativeFeedbackRate(policy.negativeFeedbackRate())
                .setBoostWindow(policy.boostWindow().toString())
                .setBoostGrace(policy.boostGrace().toString())
                .setBudgetTarget(policy.budgetTarget())
                .setForecastEpochs(policy.forecastEpochs())
                .setBurstAllowance(policy.burstAllowance());
        policy.strata().forEach((stratum, quota) -> terms.addStrata(stratumPolicy(stratum.encode(), quota)));
        return terms;
    }

    private static StratumPolicy stratumPolicy(String stratum, StratumQuota quota) {
        StratumPolicy.Builder message = StratumPolicy.newBuilder().setStratum(stratum).setBaseRate(quota.baseRate());
        quota.budgetPerPeriod().ifPresent(message::setBudgetPerPeriod);
        return message.build();
    }

    GetFeedbackStatsResponse feedbackStats(GetFeedbackStatsRequest request) {
        return edge.fanOut(SamplerStores.TASK_STORE, SamplerQueryGrpcService::localFeedbackStats,
                channel -> SamplerQueryServiceGrpc.newFutureStub(channel).getFeedbackStats(request),
                shares -> GetFeedbackStatsResponse.newBuilder().addAllServers(shares.outcomes())
                        .setStats(shares.fold(FeedbackStats.getDefaultInstance(), GetFeedbackStatsResponse::getStats, SamplerStatsMessages::sum))
                        .build());
    }

    private static GetFeedbackStatsResponse localFeedbackStats(ActivePartitions here) {
        // The task store holds one entry per task: one per local active partition.
        FeedbackStats sum = here.<String, SamplerTaskState>range(null, null).stream()
                .map(task -> SamplerStatsMessages.feedback(SamplerStateCodec.feedback(task.value.getFeedback()),
                        task.value.getRememberedCompletions(), task.value.getHeldFeedback()))
                .reduce(FeedbackStats.getDefaultInstance(), SamplerStatsMessages::sum);
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
}
