package io.flywheel.runtime.query;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;

/** The other instances, asked over gRPC. */
public interface Peers {

    /** A peer's answer and the trailers it came with. */
    record Reply<R>(R answer, Metadata trailers) {

        /** The store partitions a fan-out share answered for (none when the peer did not say). */
        public Set<Integer> partitions() {
            return CallerContext.decodePartitions(trailers.get(CallerContext.PARTITIONS));
        }
    }

    /** Starts {@code read} against {@code host} with the deadline and headers; a failure to start is a failed future. */
    <R> Future<Reply<R>> ask(HostInfo host, Deadline deadline, Metadata headers, RemoteRead<R> read);

    /** The peer's reply, or its gRPC status as an exception; DEADLINE_EXCEEDED once the deadline passes. */
    static <R> Reply<R> await(Future<Reply<R>> reply, Deadline deadline) {
        try {
            return reply.get(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException status ? status
                    : Status.fromThrowable(e.getCause()).asRuntimeException();
        } catch (TimeoutException e) {
            reply.cancel(true);
            throw Status.DEADLINE_EXCEEDED.withDescription("no answer within the deadline").asRuntimeException();
        } catch (InterruptedException e) {
            reply.cancel(true);
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
    }
}
