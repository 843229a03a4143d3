package io.flywheel.feedback.query;

import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.WatchKeyEvent;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A watch stream sends only as fast as its client reads. While the transport cannot take more
 * (a slow client), a newer change of the key replaces the one not yet sent: a watcher wants the
 * key's latest committed value, so nothing it needs is lost, and a slow client holds at most one
 * event in server memory. The first event keeps its snapshot mark when a newer one replaces it.
 */
@GlobalInterceptor
@ApplicationScoped
public class WatchConflation implements ServerInterceptor {

    private static final String WATCH_KEY = FeedbackQueryServiceGrpc.getWatchKeyMethod().getFullMethodName();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName().equals(WATCH_KEY)) {
            return next.startCall(call, headers);
        }
        LatestOnly<Q, R> latest = new LatestOnly<>(call);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(latest, headers)) {
            @Override
            public void onReady() {
                latest.sendPending();
                super.onReady();
            }
        };
    }

    /** A server call that holds back at most one message while its client is not ready for more. */
    static final class LatestOnly<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

        private R pending;

        LatestOnly(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (pending == null && isReady()) {
                super.sendMessage(message);
            } else {
                pending = pending == null ? message : newerKeepingSnapshot(pending, message);
            }
        }

        /** Sends the held-back message once the client can take it. */
        synchronized void sendPending() {
            if (pending != null && isReady()) {
                R message = pending;
                pending = null;
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (pending != null && status.isOk()) {
                super.sendMessage(pending);
            }
            pending = null;
            super.close(status, trailers);
        }

        @SuppressWarnings("unchecked")
        private R newerKeepingSnapshot(R held, R newer) {
            if (held instanceof WatchKeyEvent heldEvent && newer instanceof WatchKeyEvent newerEvent && heldEvent.getSnapshot()) {
                return (R) newerEvent.toBuilder().setSnapshot(true).build();
            }
            return newer;
        }
    }
}
