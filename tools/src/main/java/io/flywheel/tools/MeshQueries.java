package io.flywheel.tools;

import io.flywheel.events.v1.UserEscalation;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.SafetyQueryServiceGrpc.SafetyQueryServiceBlockingStub;
import io.flywheel.query.v1.SamplerQueryServiceGrpc.SamplerQueryServiceBlockingStub;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.query.v1.StratumStats;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The paged list queries read to the end, each call with its own deadline; a fan-out page
 * missing an instance's share fails as UNAVAILABLE rather than passing for the whole answer.
 */
final class MeshQueries {

    private static final int PAGE = 1000;

    private MeshQueries() {
    }

    static List<KeyStats> allKeys(FeedbackQueryServiceBlockingStub stub, long deadlineMillis, String model, Consumer<ListKeysResponse> onPage) {
        List<KeyStats> keys = new ArrayList<>();
        String token = "";
        do {
            ListKeysRequest.Builder request = ListKeysRequest.newBuilder().setPage(page(token));
            if (model != null) {
                request.setModelName(model);
            }
            ListKeysResponse page = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).listKeys(request.build());
            onPage.accept(page);
            requireComplete(page.getServersList());
            keys.addAll(page.getKeysList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return keys;
    }

    static List<StratumStats> allStrata(SamplerQueryServiceBlockingStub stub, long deadlineMillis, Consumer<ListStrataResponse> onPage) {
        List<StratumStats> strata = new ArrayList<>();
        String token = "";
        do {
            ListStrataResponse page = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .listStrata(ListStrataRequest.newBuilder().setPage(page(token)).build());
            onPage.accept(page);
            requireComplete(page.getServersList());
            strata.addAll(page.getStrataList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return strata;
    }

    static List<UserEscalation> allEscalations(SafetyQueryServiceBlockingStub stub, long deadlineMillis, Consumer<ListEscalationsResponse> onPage) {
        List<UserEscalation> escalations = new ArrayList<>();
        String token = "";
        do {
            ListEscalationsResponse page = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .listEscalations(ListEscalationsRequest.newBuilder().setPage(page(token)).build());
            onPage.accept(page);
            requireComplete(page.getServersList());
            escalations.addAll(page.getEscalationsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return escalations;
    }

    /** A fan-out answer missing an instance's share is not shown as if it were whole. */
    static void requireComplete(List<ServerOutcome> servers) {
        List<String> failed = servers.stream().filter(s -> !s.getOk()).map(s -> s.getServer() + " " + s.getError()).toList();
        if (!failed.isEmpty()) {
            throw Status.UNAVAILABLE.withDescription("partial answer, no reply from " + String.join("; ", failed)).asRuntimeException();
        }
    }

    static String label(ModelKey key) {
        return key.getModelName() + "/" + key.getModelVersion() + "/" + key.getPromptVersion();
    }

    private static PageRequest page(String token) {
        return PageRequest.newBuilder().setPageSize(PAGE).setPageToken(token).build();
    }
}
