package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.query.v1.ServerOutcome;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Fan-out: every instance's share, and what happens when one does not answer. */
class FanOutTest {

    static final HostInfo SELF = new HostInfo("a", 1);
    static final HostInfo B = new HostInfo("b", 2);
    static final HostInfo C = new HostInfo("c", 3);
    static final String STORE = "tallies";

    private final FakePeers peers = new FakePeers();

    /** A fan-out at {@code self} whose reads come from the fakes (no local store is read). */
    private FanOut fanOut(FakePlacement placement, TestQueryConfig config) {
        return new FanOut(placement, null, peers, config);
    }

    @Test
    void aServerThatFailsIsNamedAndTheOthersSharesStillCountAsAVisiblyPartialAnswer() {
        peers.covers(B, 1).answers(B, headers -> List.of("b1", "b2")).fails(C, Status.UNAVAILABLE.withDescription("connection refused"));
        FanOut fanOut = fanOut(new FakePlacement(SELF, B, C).partitions(STORE, 3, 0), TestQueryConfig.defaults());

        Shares<List<String>> shares = gather(fanOut, () -> List.of("a1"));

        assertEquals(List.of("a1", "b1", "b2"), shares.entries(share -> share));
        assertFalse(shares.complete());
        assertEquals(Set.of(2), shares.missing());
        List<ServerOutcome> outcomes = shares.outcomes();
        assertEquals(List.of("a:1", "b:2", "c:3"), outcomes.stream().map(ServerOutcome::getServer).toList());
        assertEquals(List.of(true, true, false), outcomes.stream().map(ServerOutcome::getOk).toList());
        assertEquals(List.of(List.of(0), List.of(1), List.of()), outcomes.stream().map(ServerOutcome::getPartitionsList).toList());
        assertEquals("UNAVAILABLE: connection refused", outcomes.get(2).getError());
    }

    /**
     * B was killed and the group has dropped it: A is the only instance, every server answered,
     * but partitions 2 and 3, taken over from B, are still restoring on A. Summing A's share alone
     * would be a short total that looks complete; the caller is told to retry instead.
     */
    @Test
    void partitionsStillRestoringAfterATakeoverMakeTheAnswerUnavailableNotAShortTotal() {
        FanOut fanOut = fanOut(new FakePlacement(SELF).partitions(STORE, 4, 0, 1), TestQueryConfig.defaults());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> total(fanOut, 19L));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("partitions [2, 3] of tallies (of 4)"), refused.getStatus().getDescription());
        assertEquals("1000", refused.getTrailers().get(QueryErrors.RETRY_AFTER_MS));
    }

    @Test
    void onceEveryPartitionAnswersTheTotalIsCompleteAndExact() {
        peers.covers(B, 2, 3).answers(B, headers -> 21L);
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 4, 0, 1), TestQueryConfig.defaults());

        assertEquals(40L, total(fanOut, 19L));
        assertEquals(40L, fanOut(new FakePlacement(SELF).partitions(STORE, 4, 0, 1, 2, 3), TestQueryConfig.defaults()).<Long>ask(STORE,
                here -> 40L, channel -> null, shares -> shares.fold(0L, answer -> answer, Long::sum)));
    }

    /** A partition moving from B to A while both are asked would be counted twice. */
    @Test
    void aPartitionAnsweredByTwoInstancesIsUnavailable() {
        peers.covers(B, 1, 2, 3).answers(B, headers -> 30L);
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 4, 0, 1), TestQueryConfig.defaults());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> total(fanOut, 19L));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("{1=[a:1, b:2]}"), refused.getStatus().getDescription());
    }

    /** A peer that does not say which partitions it answered for covers none: its answer cannot be checked. */
    @Test
    void aPeerThatDoesNotNameItsPartitionsCoversNone() {
        peers.answers(B, headers -> 21L);
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 4, 0, 1), TestQueryConfig.defaults());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> total(fanOut, 19L));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    }

    @Test
    void beforeTheFirstAssignmentAFanOutIsUnavailable() {
        FanOut fanOut = fanOut(new FakePlacement(SELF), TestQueryConfig.defaults());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> total(fanOut, 0L));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    }

    @Test
    void peersAreAskedForTheirOwnPartitionsWithTheCallersCredentialsAndDeadline() throws Exception {
        peers.covers(B, 1).answers(B, headers -> List.of());
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 2, 0), new TestQueryConfig(Duration.ofSeconds(60), Duration.ofSeconds(2)));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Context.CancellableContext caller = Context.current().withValue(CallerContext.AUTHORIZATION_KEY, "Bearer t")
                .withDeadlineAfter(3, TimeUnit.SECONDS, timer)) {
            caller.call(() -> fanOut.ask(STORE, here -> List.<String>of(), channel -> null, merged -> List.<String>of()));
        } finally {
            timer.shutdownNow();
        }

        FakePeers.Ask ask = peers.asksTo(B).get(0);
        assertEquals("LOCAL_PARTITIONS", ask.header(CallerContext.SCOPE));
        assertEquals("Bearer t", ask.header(CallerContext.AUTHORIZATION));
        assertTrue(ask.deadline().timeRemaining(TimeUnit.MILLISECONDS) <= 3_000);
    }

    @Test
    void aCallThatIsItselfPartOfAFanOutAnswersItsShareOnlyAndUnmergedAndNotesItsPartitions() throws Exception {
        peers.answers(B, headers -> List.of("b1"));
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 4, 0, 3), TestQueryConfig.defaults());
        AtomicReference<Set<Integer>> answered = new AtomicReference<>();

        List<String> share = Context.current().withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.LOCAL_PARTITIONS)
                .withValue(CallerContext.ANSWERED_KEY, answered)
                .call(() -> fanOut.ask(STORE, here -> List.of("a1", "a2", "a3"), channel -> null, merged -> List.of("merged")));

        assertEquals(List.of("a1", "a2", "a3"), share);
        assertEquals(List.of(), peers.asks);
        assertEquals(Set.of(0, 3), answered.get(), "sent back in the x-flywheel-partitions trailer");
    }

    /**
     * A peer that drops every packet holds its calls until their deadline. While four fan-outs
     * wait on it, a fifth with a short deadline still hears the healthy peer in time.
     */
    @Test
    void aSilentPeerDoesNotStarveOtherQueries() throws Exception {
        peers.silent(C).covers(B, 1).answers(B, headers -> List.of("b1"));
        FanOut fanOut = fanOut(new FakePlacement(SELF, B, C).partitions(STORE, 3, 0), new TestQueryConfig(Duration.ofSeconds(20), Duration.ofSeconds(2)));
        ExecutorService waiting = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 4; i++) {
                waiting.submit(() -> gather(fanOut, List::of));
            }
            while (peers.asksTo(C).size() < 4) {
                Thread.sleep(5);
            }
            Shares<List<String>> shares = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> withDeadline(Duration.ofSeconds(2),
                    () -> gather(fanOut, List::of)));

            List<ServerOutcome> outcomes = shares.outcomes();
            assertTrue(outcomes.get(1).getOk(), "the healthy peer b:2 answered: " + outcomes);
            assertEquals(List.of("b1"), shares.entries(share -> share));
            assertTrue(outcomes.get(2).getError().startsWith("DEADLINE_EXCEEDED"), outcomes.toString());
        } finally {
            waiting.shutdownNow();
        }
    }

    @Test
    void aLocalShareThatFailsIsAnOutcomeLikeAnyOther() {
        peers.covers(B, 1).answers(B, headers -> List.of("b1"));
        FanOut fanOut = fanOut(new FakePlacement(SELF, B).partitions(STORE, 2, 0), TestQueryConfig.defaults());
        Supplier<List<String>> movedAway = () -> {
            throw QueryErrors.unavailable("aggregates moved while reading", Duration.ofSeconds(1));
        };

        Shares<List<String>> shares = gather(fanOut, movedAway);

        assertEquals(List.of(false, true), shares.outcomes().stream().map(ServerOutcome::getOk).toList());
        assertEquals(new ArrayList<>(List.of("b1")), shares.entries(share -> share));
    }

    /** The shares a client's fan-out merges. */
    private static Shares<List<String>> gather(FanOut fanOut, Supplier<List<String>> local) {
        AtomicReference<Shares<List<String>>> merged = new AtomicReference<>();
        fanOut.ask(STORE, here -> local.get(), channel -> null, shares -> {
            merged.set(shares);
            return List.of();
        });
        return merged.get();
    }

    /** A count every instance holds part of, summed. */
    private static long total(FanOut fanOut, long local) {
        return fanOut.ask(STORE, here -> local, channel -> null, shares -> shares.fold(0L, answer -> answer, Long::sum));
    }

    private static <T> T withDeadline(Duration deadline, java.util.concurrent.Callable<T> call) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Context.CancellableContext caller = Context.current().withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS, timer)) {
            return caller.call(call);
        } finally {
            timer.shutdownNow();
        }
    }
}
