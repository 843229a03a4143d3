package io.flywheel.feedback.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.WatchKeyEvent;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A slow watch client: what the server holds and sends while the transport is not ready. */
class WatchConflationTest {

    /** A transport whose readiness the test sets; it records what was sent. */
    static final class Transport extends ServerCall<Object, WatchKeyEvent> {
        boolean ready;
        final List<WatchKeyEvent> sent = new ArrayList<>();
        Status closedWith;

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(WatchKeyEvent message) {
            sent.add(message);
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closedWith = status;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        @SuppressWarnings("unchecked")
        public MethodDescriptor<Object, WatchKeyEvent> getMethodDescriptor() {
            return (MethodDescriptor<Object, WatchKeyEvent>) (MethodDescriptor<?, ?>) FeedbackQueryServiceGrpc.getWatchKeyMethod();
        }
    }

    private static WatchKeyEvent event(long thumbsUp, boolean snapshot) {
        return WatchKeyEvent.newBuilder().setAllTime(FeedbackAggregate.newBuilder().setThumbsUp(thumbsUp)).setSnapshot(snapshot).build();
    }

    private static List<String> sent(Transport transport) {
        return transport.sent.stream().map(e -> e.getAllTime().getThumbsUp() + (e.getSnapshot() ? " snapshot" : "")).toList();
    }

    @Test
    void whileTheClientIsSlowOnlyTheNewestChangeIsHeldAndItKeepsTheSnapshotMark() {
        Transport transport = new Transport();
        WatchConflation.LatestOnly<Object, WatchKeyEvent> call = new WatchConflation.LatestOnly<>(transport);

        for (long n = 1; n <= 10_000; n++) {
            call.sendMessage(event(n, n == 1));
        }
        assertEquals(List.of(), sent(transport), "nothing goes out while the transport is full");

        transport.ready = true;
        call.sendPending();
        assertEquals(List.of("10000 snapshot"), sent(transport), "one held event: the newest value, still the snapshot");

        call.sendMessage(event(10_001, false));
        assertEquals(List.of("10000 snapshot", "10001"), sent(transport), "a ready client gets every change");
    }

    @Test
    void closingSendsTheHeldChangeFirst() {
        Transport transport = new Transport();
        WatchConflation.LatestOnly<Object, WatchKeyEvent> call = new WatchConflation.LatestOnly<>(transport);
        call.sendMessage(event(1, true));
        call.sendMessage(event(2, false));

        call.close(Status.OK, new Metadata());

        assertEquals(List.of("2 snapshot"), sent(transport));
        assertEquals(Status.OK, transport.closedWith);
    }
}
