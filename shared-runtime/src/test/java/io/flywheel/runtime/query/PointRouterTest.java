package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.ResponseMetadata.Role;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Where a point query is answered, decided from plain placement, lag and peer facts. */
class PointRouterTest {

    static final HostInfo SELF = new HostInfo("a", 1);
    static final HostInfo B = new HostInfo("b", 2);
    static final HostInfo C = new HostInfo("c", 3);
    static final String STORE = "aggregates";
    static final String OTHER_STORE = "votes";

    private final FakePeers peers = new FakePeers();
    private final Map<String, Map<Integer, Long>> hostedLags = new HashMap<>();
    private final AtomicInteger localReads = new AtomicInteger();

    @Test
    void anOwnedKeyIsReadFromTheLocalActiveCopyWithoutAskingAnyone() {
        PointRouter router = router(new FakePlacement(SELF, B).place(STORE, 3, SELF, B), TestQueryConfig.defaults());

        ResponseMetadata answer = route(router, OptionalLong.empty()).getMetadata();

        assertEquals(Role.ACTIVE, answer.getRole());
        assertEquals(3, answer.getPartition());
        assertEquals(0, answer.getLagRecords());
        assertEquals("a:1", answer.getServedBy());
        assertEquals(List.of(), peers.asks);
    }

    @Test
    void aRemoteKeyIsForwardedOnceToItsOwnerWithTheCallersCredentialsAndReceivedHere() throws Exception {
        peers.answers(B, headers -> answerFrom("b:2", Role.ACTIVE, 0));
        PointRouter router = router(new FakePlacement(SELF, B).place(STORE, 3, B, SELF), TestQueryConfig.defaults());

        ResponseMetadata answer = in(Context.current().withValue(CallerContext.AUTHORIZATION_KEY, "Bearer s3cret"),
                () -> route(router, OptionalLong.empty())).getMetadata();

        assertEquals("b:2", answer.getServedBy());
        assertEquals("a:1", answer.getReceivedBy(), "a forwarded answer names the instance that received the call");
        FakePeers.Ask ask = peers.asks.get(0);
        assertEquals(1, peers.asks.size());
        assertEquals("ACTIVE", ask.header(CallerContext.SCOPE), "the owner must answer itself, never forward again");
        assertEquals("Bearer s3cret", ask.header(CallerContext.AUTHORIZATION));
        assertNull(ask.header(CallerContext.MAX_LAG));
        assertEquals(0, localReads.get());
    }

    @Test
    void anOwnerThatIsDownWithoutALagBoundIsUnavailableWithARetryHintAndNoStandbyIsRead() {
        peers.fails(B, Status.UNAVAILABLE.withDescription("connection refused"));
        hostedLags.put(STORE, Map.of(3, 0L));
        PointRouter router = router(new FakePlacement(SELF, B).place(STORE, 3, B, SELF), TestQueryConfig.defaults());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> route(router, OptionalLong.empty()));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("set max_lag_records"), refused.getStatus().getDescription());
        assertEquals("1000", refused.getTrailers().get(QueryErrors.RETRY_AFTER_MS));
        assertEquals(0, localReads.get());
    }

    @Test
    void anOwnerThatIsDownWithALagBoundIsAnsweredByTheLocalStandbyWithinTheBound() {
        peers.fails(B, Status.DEADLINE_EXCEEDED);
        hostedLags.put(STORE, Map.of(3, 5L));
        PointRouter router = router(new FakePlacement(SELF, B).place(STORE, 3, B, SELF), TestQueryConfig.defaults());

        ResponseMetadata answer = route(router, OptionalLong.of(10)).getMetadata();

        assertEquals(Role.STANDBY, answer.getRole());
        assertEquals(5, answer.getLagRecords());
        assertEquals("a:1", answer.getServedBy());
    }

    @Test
    void aLocalStandbyTooFarBehindLeavesTheQueryToAnotherStandbyAndThenToUnavailable() {
        peers.fails(B, Status.UNAVAILABLE).answers(C, headers -> answerFrom("c:3", Role.STANDBY, 2));
        hostedLags.put(STORE, Map.of(3, 50L));
        FakePlacement placement = new FakePlacement(SELF, B, C).place(STORE, 3, B, SELF, C);

        ResponseMetadata answer = route(router(placement, TestQueryConfig.defaults()), OptionalLong.of(10)).getMetadata();

        assertEquals("c:3", answer.getServedBy());
        assertEquals("a:1", answer.getReceivedBy());
        assertEquals(0, localReads.get(), "the local copy is 50 records behind, more than 10");
        FakePeers.Ask toStandby = peers.asksTo(C).get(0);
        assertEquals("STANDBY", toStandby.header(CallerContext.SCOPE));
        assertEquals("10", toStandby.header(CallerContext.MAX_LAG));

        peers.fails(C, Status.UNAVAILABLE.withDescription("50 records behind"));
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.of(10)));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("no standby within 10 records"), refused.getStatus().getDescription());
    }

    @Test
    void anOwnersAnswerOtherThanUnreachablePassesThroughWithoutAskingStandbys() {
        peers.fails(B, Status.NOT_FOUND.withDescription("no feedback recorded")).answers(C, headers -> answerFrom("c:3", Role.STANDBY, 0));
        hostedLags.put(STORE, Map.of(3, 0L));
        PointRouter router = router(new FakePlacement(SELF, B, C).place(STORE, 3, B, SELF, C), TestQueryConfig.defaults());

        StatusRuntimeException notFound = assertThrows(StatusRuntimeException.class, () -> route(router, OptionalLong.of(100)));

        assertEquals(Status.Code.NOT_FOUND, notFound.getStatus().getCode());
        assertEquals(List.of(), peers.asksTo(C));
        assertEquals(0, localReads.get());
    }

    @Test
    void aCallForwardedToAnInstanceThatNoLongerOwnsTheKeyIsUnavailableAndGoesNoFurther() {
        PointRouter router = router(new FakePlacement(SELF, B).place(STORE, 3, B, SELF), TestQueryConfig.defaults());

        StatusRuntimeException moved = assertThrows(StatusRuntimeException.class, () -> in(
                Context.current().withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.ACTIVE),
                () -> route(router, OptionalLong.empty())));

        assertEquals(Status.Code.UNAVAILABLE, moved.getStatus().getCode());
        assertTrue(moved.getStatus().getDescription().contains("moved away"), moved.getStatus().getDescription());
        assertEquals(List.of(), peers.asks);
    }

    /**
     * This instance is active for partition 3 of another sub-topology's store and a standby for
     * partition 3 of the queried one: the answer is a standby's, read from the standby copy.
     */
    @Test
    void aStandbyReadTakesItsRoleFromTheQueriedStoreNotFromAnotherSubTopologyWithTheSamePartition() throws Exception {
        hostedLags.put(STORE, Map.of(3, 7L));
        hostedLags.put(OTHER_STORE, Map.of(3, 0L));
        FakePlacement placement = new FakePlacement(SELF, B).place(STORE, 3, B, SELF).place(OTHER_STORE, 3, SELF, B);
        Context standbyCall = Context.current().withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.STANDBY)
                .withValue(CallerContext.MAX_LAG_KEY, 10L);

        ResponseMetadata answer = in(standbyCall, () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.empty()))
                .getMetadata();

        assertEquals(Role.STANDBY, answer.getRole());
        assertEquals(7, answer.getLagRecords());

        placement.place(STORE, 3, SELF, B);
        assertEquals(Role.ACTIVE, in(standbyCall, () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.empty()))
                .getMetadata().getRole(), "a standby call reaching the new owner is answered as active");
        hostedLags.clear();
        placement.place(STORE, 3, B, C);
        StatusRuntimeException notHere = assertThrows(StatusRuntimeException.class,
                () -> in(standbyCall, () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.empty())));
        assertTrue(notHere.getStatus().getDescription().contains("not hosted here"), notHere.getStatus().getDescription());
    }

    @Test
    void theStandbyDeadlineNeverOutlivesTheCallers() throws Exception {
        peers.fails(B, Status.UNAVAILABLE).answers(C, headers -> answerFrom("c:3", Role.STANDBY, 0));
        TestQueryConfig generous = new TestQueryConfig(Duration.ofSeconds(60), Duration.ofSeconds(60));
        PointRouter router = router(new FakePlacement(SELF, B, C).place(STORE, 3, B, C), generous);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Context.CancellableContext caller = Context.current().withDeadlineAfter(2, TimeUnit.SECONDS, timer)) {
            in(caller, () -> route(router, OptionalLong.of(10)));
        } finally {
            timer.shutdownNow();
        }

        long ownerMs = peers.asksTo(B).get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS);
        long standbyMs = peers.asksTo(C).get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS);
        assertTrue(ownerMs <= 2_000, "owner deadline " + ownerMs + " ms");
        assertTrue(standbyMs <= 2_000, "standby deadline " + standbyMs + " ms, the caller gave 2000 ms");
    }

    @Test
    void noAnswerWhileTheStoresCannotAnswerOrNobodyOwnsTheKey() {
        FakePlacement placement = new FakePlacement(SELF, B);
        StatusRuntimeException unowned = assertThrows(StatusRuntimeException.class,
                () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.empty()));
        assertTrue(unowned.getStatus().getDescription().contains("no instance owns"), unowned.getStatus().getDescription());

        placement.place(STORE, 3, SELF, B).queryable = false;
        StatusRuntimeException rebalancing = assertThrows(StatusRuntimeException.class,
                () -> route(router(placement, TestQueryConfig.defaults()), OptionalLong.empty()));
        assertEquals(Status.Code.UNAVAILABLE, rebalancing.getStatus().getCode());
        assertTrue(rebalancing.getStatus().getDescription().contains("REBALANCING"), rebalancing.getStatus().getDescription());
        assertEquals(0, localReads.get());
    }

    private PointRouter router(FakePlacement placement, QueryConfig config) {
        StoreLags lags = new StoreLags(() -> hostedLags, 1_000);
        lags.refresh();
        return new PointRouter(placement, lags, peers, config);
    }

    private GetStatsResponse route(PointRouter router, OptionalLong maxLag) {
        Function<LocalCopy, GetStatsResponse> local = copy -> {
            localReads.incrementAndGet();
            return GetStatsResponse.newBuilder().setMetadata(copy.metadata("a:1")).build();
        };
        return router.route(STORE, "model-key", maxLag, local, channel -> {
            throw new AssertionError("fake peers answer without a channel");
        });
    }

    private static GetStatsResponse answerFrom(String server, Role role, long lag) {
        return GetStatsResponse.newBuilder().setMetadata(ResponseMetadata.newBuilder()
                .setServedBy(server).setReceivedBy(server).setRole(role).setLagRecords(lag)).build();
    }

    private static <T> T in(Context context, Callable<T> call) throws Exception {
        return context.call(call);
    }
}
