package io.flywheel.safety.query;

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
import io.flywheel.query.v1.RiskWindow;
import io.flywheel.query.v1.SafetyQueryService;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SkippedPolicy;
import io.flywheel.runtime.query.KeysetPage;
import io.flywheel.runtime.query.Listing;
import io.flywheel.runtime.query.PartitionReader;
import io.flywheel.runtime.query.QueryEdge;
import io.flywheel.runtime.query.QueryErrors;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.RejectedPolicy;
import io.flywheel.safety.topology.ActivePolicySet;
import io.flywheel.safety.topology.SafetyStores;
import io.flywheel.safety.topology.UserWindowKey;
import io.flywheel.state.v1.ConversationVerdicts;
import io.flywheel.state.v1.RetainedVerdict;
import io.flywheel.state.v1.UserRiskWindow;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/** Safety-filter state over gRPC, from any instance: validates each request and hands it to the query edge. */
@GrpcService
public class SafetyQueryGrpcService implements SafetyQueryService {

    static final int MAX_ID_LENGTH = 256;
    static final int MAX_VERDICTS = 1000;
    private static final Listing<ListEscalationsResponse, UserEscalation> ESCALATION_LISTING = Listing.of(
            ListEscalationsResponse::getEscalationsList, SafetyQueryGrpcService::keyOf,
            (escalations, nextPageToken, servers) -> ListEscalationsResponse.newBuilder()
                    .addAllEscalations(escalations).setNextPageToken(nextPageToken).addAllServers(servers).build());

    private final QueryEdge edge;
    private final ActivePolicySet policies;

    public SafetyQueryGrpcService(QueryEdge edge, ActivePolicySet policies) {
        this.edge = edge;
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
        return edge.point(SafetyStores.RISK_STORE, userId, QueryEdge.maxLag(request.hasMaxLagRecords(), request.getMaxLagRecords()),
                reader -> riskOf(reader, userId),
                channel -> SafetyQueryServiceGrpc.newFutureStub(channel).getUserRisk(request));
    }

    private static GetUserRiskResponse riskOf(PartitionReader reader, String userId) {
        List<KeyValue<String, UserRiskWindow>> windows = reader.range(SafetyStores.RISK_STORE,
                UserWindowKey.first(userId), UserWindowKey.last(userId));
        if (windows.isEmpty()) {
            throw QueryErrors.notFound("no findings recorded for user_id '" + userId + "' in the retained windows");
        }
        GetUserRiskResponse.Builder response = GetUserRiskResponse.newBuilder().setUserId(userId).setMetadata(reader.metadata());
        windows.forEach(entry -> response.addWindows(RiskWindow.newBuilder()
                .setWindowStart(Timestamps.fromMillis(entry.value.getWindowStartMs()))
                .setWindowEnd(Timestamps.fromMillis(entry.value.getWindowEndMs()))
                .putAllFindingsByCategory(entry.value.getFindingsByCategoryMap())
                .setFindingCount(entry.value.getFindingCount())
                .setEscalated(entry.value.getEscalated())));
        return response.build();
    }

    GetConversationVerdictsResponse verdicts(GetConversationVerdictsRequest request) {
        String conversationId = id("conversation_id", request.getConversationId());
        int limit = QueryErrors.requireRange("limit", request.getLimit(), 0, MAX_VERDICTS);
        return edge.point(SafetyStores.VERDICTS_STORE, conversationId,
                QueryEdge.maxLag(request.hasMaxLagRecords(), request.getMaxLagRecords()),
                reader -> verdictsOf(reader, conversationId, limit),
                channel -> SafetyQueryServiceGrpc.newFutureStub(channel).getConversationVerdicts(request));
    }

    private static GetConversationVerdictsResponse verdictsOf(PartitionReader reader, String conversationId, int limit) {
        List<RetainedVerdict> all = reader.<String, ConversationVerdicts>get(conversationId)
                .orElseThrow(() -> QueryErrors.notFound("no verdicts retained for conversation_id '" + conversationId + "'"))
                .getVerdictsList();
        List<RetainedVerdict> recent = limit == 0 ? all : all.subList(Math.max(0, all.size() - limit), all.size());
        GetConversationVerdictsResponse.Builder response = GetConversationVerdictsResponse.newBuilder()
                .setConversationId(conversationId)
                .setMetadata(reader.metadata());
        recent.forEach(verdict -> response.addVerdicts(verdict.getVerdict()));
        return response.build();
    }

    /** Answered locally: every instance reads the whole of safety.policies into its own set. */
    GetPolicySetResponse policySet() {
        edge.requireQueryable();
        PolicySet set = policies.get();
        GetPolicySetResponse.Builder response = GetPolicySetResponse.newBuilder()
                .setRevision(set.revision())
                .addAllActive(set.activePolicies())
                .addAllDisabled(set.disabled())
                .setMetadata(edge.acrossPartitions());
        set.skipped().forEach(skipped -> response.addSkipped(skippedPolicy(skipped)));
        set.pending().forEach(pending -> response.addPending(skippedPolicy(pending)));
        return response.setDegraded(set.degraded()).build();
    }

    private static SkippedPolicy skippedPolicy(RejectedPolicy policy) {
        return SkippedPolicy.newBuilder().setPolicyId(policy.policyId()).setReason(policy.reason()).setOffset(policy.offset()).build();
    }

    ListEscalationsResponse escalations(ListEscalationsRequest request) {
        KeysetPage page = KeysetPage.of(request.hasPage(), request.getPage());
        return edge.page(SafetyStores.ESCALATIONS_STORE, ESCALATION_LISTING, page,
                here -> here.<String, UserEscalation>range(page.afterKey().orElse(null), null).stream().map(entry -> entry.value).toList(),
                channel -> SafetyQueryServiceGrpc.newFutureStub(channel).listEscalations(request));
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
}
