package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.ServerOutcome;
import io.grpc.Context;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Paged lists over several instances: each answers for its own partitions, the receiver merges and pages. */
class ListingTest {

    static final HostInfo A = new HostInfo("a", 1);
    static final HostInfo B = new HostInfo("b", 2);
    static final HostInfo C = new HostInfo("c", 3);

    record Entry(String key, long count) {
    }

    record Answer(List<Entry> entries, String nextPageToken, List<ServerOutcome> servers) {
        List<String> keys() {
            return entries.stream().map(Entry::key).toList();
        }
    }

    static final Listing<Answer, Entry> LISTING = new Listing<>(Answer::entries, Entry::key,
            (first, second) -> new Entry(first.key(), first.count() + second.count()), Answer::new);

    /** Three instances, each with its own entries; some may be down. */
    private final Map<HostInfo, List<Entry>> local = new LinkedHashMap<>();
    private final Set<HostInfo> down = new HashSet<>();

    @Test
    void followingTokensVisitsEveryKeyOnceInOrderWhereverItLives() throws Exception {
        holds(A, "a", "d", "g", "j");
        holds(B, "b", "e", "h");
        holds(C, "c", "f", "i", "k", "l");

        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"), visit(A, 2));
        assertEquals(visit(A, 2), visit(C, 5));
    }

    /** Another instance's share keeps one key more than the page, or the receiver cannot tell that a next page exists. */
    @Test
    void pagingGoesOnWhenAllOfAPageComesFromOnePeer() throws Exception {
        holds(A);
        holds(B, "u1", "u2", "u3");
        holds(C);

        Answer first = page(A, "", 2);
        assertEquals(List.of("u1", "u2"), first.keys());
        assertFalse(first.nextPageToken().isEmpty(), "u3 follows on a next page");
        assertEquals(List.of("u1", "u2", "u3"), visit(A, 2));

        Answer share = Context.current().withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.LOCAL_PARTITIONS)
                .call(() -> page(B, "", 2));
        assertEquals(List.of("u1", "u2", "u3"), share.keys(), "a share is the page plus one, uncut");
    }

    /**
     * A page some server did not add to may lack any of its keys; the token asks for that page
     * again, so a client that only follows tokens sees a repeat, never a gap.
     */
    @Test
    void aPageAServerCouldNotAddToIsAskedForAgainSoNoKeyIsSkipped() throws Exception {
        holds(A, "a", "d", "g");
        holds(B, "b", "e", "h");
        holds(C, "c", "f", "i");
        down.add(C);

        Answer partial = page(A, "", 4);
        assertEquals(List.of("a", "b", "d", "e"), partial.keys(), "the others' keys are kept");
        assertEquals(List.of(true, true, false), partial.servers().stream().map(ServerOutcome::getOk).toList());
        assertTrue(partial.servers().get(2).getError().startsWith("UNAVAILABLE"), partial.servers().toString());

        down.clear();
        Answer again = page(A, partial.nextPageToken(), 4);
        assertEquals(List.of("a", "b", "c", "d"), again.keys(), "the same page, now with c:3's keys");

        down.add(C);
        Answer secondPartial = page(A, again.nextPageToken(), 4);
        assertEquals(List.of("e", "g", "h"), secondPartial.keys());
        down.clear();
        assertEquals(List.of("e", "f", "g", "h"), page(A, secondPartial.nextPageToken(), 4).keys());
    }

    @Test
    void entriesOfOneKeyFromSeveralPartitionsAndInstancesAddUp() throws Exception {
        local.put(A, List.of(new Entry("s1", 1), new Entry("s2", 1), new Entry("s1", 4)));
        local.put(B, List.of(new Entry("s1", 2), new Entry("s3", 5)));
        local.put(C, List.of());

        assertEquals(List.of(new Entry("s1", 7), new Entry("s2", 1), new Entry("s3", 5)), page(A, "", 10).entries());
    }

    private void holds(HostInfo host, String... keys) {
        local.put(host, Stream.of(keys).map(key -> new Entry(key, 1)).toList());
    }

    private List<String> visit(HostInfo origin, int size) throws Exception {
        List<String> visited = new ArrayList<>();
        String token = "";
        do {
            Answer answer = page(origin, token, size);
            visited.addAll(answer.keys());
            token = answer.nextPageToken();
        } while (!token.isEmpty());
        return visited;
    }

    /** One page asked at {@code origin}; the other instances answer by running the same code under the scope they are sent. */
    private Answer page(HostInfo origin, String token, int size) throws Exception {
        KeysetPage page = KeysetPage.of(true, PageRequest.newBuilder().setPageSize(size).setPageToken(token).build());
        FakePeers peers = new FakePeers();
        for (HostInfo peer : local.keySet()) {
            if (down.contains(peer)) {
                peers.fails(peer, Status.UNAVAILABLE.withDescription("connection refused"));
            } else {
                peers.answers(peer, headers -> {
                    Context sent = Context.current().withValue(CallerContext.SCOPE_KEY,
                            CallerContext.Scope.valueOf(headers.get(CallerContext.SCOPE)));
                    try {
                        return sent.call(() -> ask(peer, new FakePeers(), page));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        return ask(origin, peers, page);
    }

    /** Each instance holds one partition of the listed store: the n-th instance partition n. */
    private Answer ask(HostInfo self, FakePeers peers, KeysetPage page) {
        HostInfo[] others = local.keySet().stream().filter(host -> !host.equals(self)).toArray(HostInfo[]::new);
        int partition = List.copyOf(local.keySet()).indexOf(self);
        FakePlacement placement = new FakePlacement(self, others).partitions("entries", local.size(), partition);
        FanOut fanOut = new FanOut(placement, null, peers, TestQueryConfig.defaults());
        return fanOut.ask("entries", here -> LISTING.share(page, local.get(self)), channel -> null, shares -> LISTING.merge(page, shares));
    }
}
