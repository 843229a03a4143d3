package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.query.v1.ServerOutcome;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private final FakePeers peers = new FakePeers();

    @Test
    void aServerThatFailsIsNamedAndTheOthersSharesStillCount() {
        peers.answers(B, headers -> List.of("b1", "b2")).fails(C, Status.UNAVAILABLE.withDescription("connection refused"));
        FanOut fanOut = new FanOut(new FakePlacement(SELF, B, C), peers, TestQueryConfig.defaults());

        Shares<List<String>> shares = gather(fanOut, () -> List.of("a1"));

        assertEquals(List.of("a1", "b1", "b2"), shares.entries(share -> share));
        assertFalse(shares.complete());
        List<ServerOutcome> outcomes = shares.outcomes();
        assertEquals(List.of("a:1", "b:2", "c:3"), outcomes.stream().map(ServerOutcome::getServer).toList());
        assertEquals(List.of(true, true, false), outcomes.stream().map(ServerOutcome::getOk).toList());
        assertEquals("UNAVAILABLE: connection refused", outcomes.get(2).getError());
    }

    @Test
    void peersAreAskedForTheirOwnPartitionsWithTheCallersCredentialsAndDeadline() throws Exception {
        peers.answers(B, headers -> List.of());
        FanOut fanOut = new FanOut(new FakePlacement(SELF, B), peers, new TestQueryConfig(Duration.ofSeconds(60), Duration.ofSeconds(2)));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Context.CancellableContext caller = Context.current().withValue(CallerContext.AUTHORIZATION_KEY, "Bearer t")
                .withDeadlineAfter(3, TimeUnit.SECONDS, timer)) {
            caller.call(() -> fanOut.ask(List::<String>of, channel -> null, merged -> List.<String>of()));
        } finally {
            timer.shutdownNow();
        }

        FakePeers.Ask ask = peers.asksTo(B).get(0);
        assertEquals("LOCAL_PARTITIONS", ask.header(CallerContext.SCOPE));
        assertEquals("Bearer t", ask.header(CallerContext.AUTHORIZATION));
        assertTrue(ask.deadline().timeRemaining(TimeUnit.MILLISECONDS) <= 3_000);
    }

    @Test
    void aCallThatIsItselfPartOfAFanOutAnswersItsShareOnlyAndUnmerged() throws Exception {
        peers.answers(B, headers -> List.of("b1"));
        FanOut fanOut = new FanOut(new FakePlacement(SELF, B), peers, TestQueryConfig.defaults());

        List<String> share = Context.current().withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.LOCAL_PARTITIONS)
                .call(() -> fanOut.ask(() -> List.of("a1", "a2", "a3"), channel -> null, merged -> List.of("merged")));

        assertEquals(List.of("a1", "a2", "a3"), share);
        assertEquals(List.of(), peers.asks);
    }

    /**
     * A peer that drops every packet holds its calls until their deadline. While four fan-outs
     * wait on it, a fifth with a short deadline still hears the healthy peer in time.
     */
    @Test
    void aSilentPeerDoesNotStarveOtherQueries() throws Exception {
        peers.silent(C).answers(B, headers -> List.of("b1"));
        FanOut fanOut = new FanOut(new FakePlacement(SELF, B, C), peers, new TestQueryConfig(Duration.ofSeconds(20), Duration.ofSeconds(2)));
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
        peers.answers(B, headers -> List.of("b1"));
        FanOut fanOut = new FanOut(new FakePlacement(SELF, B), peers, TestQueryConfig.defaults());
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
        fanOut.ask(local, channel -> null, shares -> {
            merged.set(shares);
            return List.of();
        });
        return merged.get();
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
