package io.flywheel.safety.query;

import io.flywheel.safety.topology.SafetyStores;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.query.v1.GetConversationVerdictsRequest;
import io.flywheel.query.v1.GetConversationVerdictsResponse;
import io.flywheel.query.v1.GetPolicySetRequest;
import io.flywheel.query.v1.GetPolicySetResponse;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.GetUserRiskResponse;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.RiskWindow;
import io.flywheel.query.v1.SafetyQueryService;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SkippedPolicy;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.PeerChannels;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.runtime.query.StoreRouter;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.topology.ActivePolicySet;
import io.flywheel.safety.topology.SafetyTopology;
import io.flywheel.safety.topology.UserWindowKey;
import io.flywheel.state.v1.ConversationVerdicts;
import io.flywheel.state.v1.RetainedVerdict;
import io.flywheel.state.v1.UserRiskWindow;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;

/** Safety-filter state over gRPC, from any instance: maps requests to the shared router. */
@GrpcService
public class SafetyQueryGrpcService implements SafetyQueryService {

    static final int MAX_ID_LENGTH = 256;
    static final int MAX_VERDICTS = 1000;
    private static final StringSerializer KEYS = new StringSerializer();

    private final StoreRouter router;
    private final ActivePolicySet policies;

    public SafetyQueryGrpcService(StoreRouter router, ActivePolicySet policies) {
        this.router = router;
        this.policies = policies;
    }

    @Override
    @Blocking
    public Uni<GetUserRiskResponse> getUserRisk(GetUserRiskRequest request) {
        return Uni.createFrom().item(() -> risk(request));
    }

    @Override
    @Blocking
    public Uni<GetConversationVerdictsResponse> getConversationVerdicts(GetConversationVerdictsRequest request) {
        return Uni.createFrom().item(() -> verdicts(request));
    }

    @Override
    @Blocking
    public Uni<GetPolicySetResponse> getPolicySet(GetPolicySetRequest request) {
        return Uni.createFrom().item(this::policySet);
    }

    @Override
    @Blocking
    public Uni<ListEscalationsResponse> listEscalations(ListEscalationsRequest request) {
        return Uni.createFrom().item(() -> escalations(request));
    }

    GetUserRiskResponse risk(GetUserRiskRequest request) {
        String userId = id("user_id", request.getUserId());
        OptionalLong maxLag = maxLag(request.hasMaxLagRecords(), request.getMaxLagRecords());
        GetUserRiskResponse answer = router.route(SafetyStores.RISK_STORE, userId, KEYS, maxLag,
                reader -> {
                    List<KeyValue<String, UserRiskWindow>> windows = reader.range(SafetyStores.RISK_STORE,
                            UserWindowKey.first(userId), UserWindowKey.last(userId));
                    if (windows.isEmpty()) {
                        throw QueryErrors.notFound("no findings recorded for user_id '" + userId
                                + "' in the retained windows");
                    }
                    GetUserRiskResponse.Builder response = GetUserRiskResponse.newBuilder()
                            .setUserId(userId)
                            .setMetadata(reader.metadata());
                    for (KeyValue<String, UserRiskWindow> entry : windows) {
                        UserRiskWindow window = entry.value;
                        response.addWindows(RiskWindow.newBuilder()
                                .setWindowStart(Timestamps.fromMillis(window.getWindowStartMs()))
                                .setWindowEnd(Timestamps.fromMillis(window.getWindowEndMs()))
                                .putAllFindingsByCategory(window.getFindingsByCategoryMap())
                                .setFindingCount(window.getFindingCount())
                                .setEscalated(window.getEscalated()));
                    }
                    return response.build();
                },
                (channel, deadline, headers) -> stub(channel, deadline, headers).getUserRisk(request));
        return answer.toBuilder().setMetadata(answer.getMetadata().toBuilder().setReceivedBy(router.self())).build();
    }

    GetConversationVerdictsResponse verdicts(GetConversationVerdictsRequest request) {
        String conversationId = id("conversation_id", request.getConversationId());
        int limit = QueryErrors.requireRange("limit", request.getLimit(), 0, MAX_VERDICTS);
        OptionalLong maxLag = maxLag(request.hasMaxLagRecords(), request.getMaxLagRecords());
        GetConversationVerdictsResponse answer = router.route(SafetyStores.VERDICTS_STORE, conversationId, KEYS, maxLag,
                reader -> {
                    Optional<ConversationVerdicts> retained = reader.get(conversationId);
                    if (retained.isEmpty()) {
                        throw QueryErrors.notFound("no verdicts retained for conversation_id '" + conversationId + "'");
                    }
                    List<RetainedVerdict> all = retained.get().getVerdictsList();
                    List<RetainedVerdict> recent = limit == 0 ? all : all.subList(Math.max(0, all.size() - limit), all.size());
                    GetConversationVerdictsResponse.Builder response = GetConversationVerdictsResponse.newBuilder()
                            .setConversationId(conversationId)
                            .setMetadata(reader.metadata());
                    recent.forEach(verdict -> response.addVerdicts(verdict.getVerdict()));
                    return response.build();
                },
                (channel, deadline, headers) -> stub(channel, deadline, headers).getConversationVerdicts(request));
        return answer.toBuilder().setMetadata(answer.getMetadata().toBuilder().setReceivedBy(router.self())).build();
    }

    /** Answered locally: every instance reads the whole of safety.policies into its own set. */
    GetPolicySetResponse policySet() {
        router.requireQueryable();
        PolicySet set = policies.get();
        GetPolicySetResponse.Builder response = GetPolicySetResponse.newBuilder()
                .setRevision(set.revision())
                .addAllActive(set.activePolicies())
                .addAllDisabled(set.disabled())
                .setMetadata(ResponseMetadata.newBuilder()
                        .setServedBy(router.self()).setReceivedBy(router.self()).setPartition(-1));
        for (io.flywheel.safety.rules.RejectedPolicy skipped : set.skipped()) {
            response.addSkipped(SkippedPolicy.newBuilder()
                    .setPolicyId(skipped.policyId()).setReason(skipped.reason()).setOffset(skipped.offset()));
        }
        return response.build();
    }

    ListEscalationsResponse escalations(ListEscalationsRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        List<StoreRouter.ServerAnswer<ListEscalationsResponse>> answers = router.fanOut(
                () -> localEscalations(page),
                (channel, deadline, headers) -> stub(channel, deadline, headers).listEscalations(request));
        List<UserEscalation> all = new ArrayList<>();
        ListEscalationsResponse.Builder response = ListEscalationsResponse.newBuilder();
        for (StoreRouter.ServerAnswer<ListEscalationsResponse> answer : answers) {
            answer.answer().ifPresent(part -> all.addAll(part.getEscalationsList()));
            response.addServers(answer.outcome());
        }
        KeysetPage.Page<UserEscalation> cut = page.cut(all, SafetyQueryGrpcService::keyOf);
        return response.addAllEscalations(cut.entries()).setNextPageToken(cut.nextPageToken()).build();
    }

    private ListEscalationsResponse localEscalations(KeysetPage page) {
        List<UserEscalation> local = new ArrayList<>();
        for (KeyValue<String, UserEscalation> entry
                : router.<String, UserEscalation>activeRange(SafetyStores.ESCALATIONS_STORE, page.afterKey().orElse(null), null)) {
            if (page.admits(entry.key)) {
                local.add(entry.value);
            }
        }
        return ListEscalationsResponse.newBuilder().addAllEscalations(page.shareOf(local, SafetyQueryGrpcService::keyOf)).build();
    }

    /** The escalation's store key: user, then window start, so pages run user by user. */
    static String keyOf(UserEscalation escalation) {
        return UserWindowKey.of(escalation.getUserId(), Timestamps.toMillis(escalation.getWindowStart()));
    }

    static String id(String field, String value) {
        QueryErrors.requireText(field, value, MAX_ID_LENGTH);
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw QueryErrors.invalidArgument(field + " must not contain control characters");
        }
        return value;
    }

    private static OptionalLong maxLag(boolean present, long value) {
        if (!present) {
            return OptionalLong.empty();
        }
        if (value < 0) {
            throw QueryErrors.invalidArgument("max_lag_records must be 0 or more, got " + value);
        }
        return OptionalLong.of(value);
    }

    private static SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub stub(Channel channel, Deadline deadline, Metadata headers) {
        return PeerChannels.forwarded(SafetyQueryServiceGrpc.newBlockingStub(channel), deadline, headers);
    }
}
