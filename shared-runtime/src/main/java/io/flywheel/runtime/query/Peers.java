package io.flywheel.runtime.query;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;

/** The other instances, asked over gRPC. */
public interface Peers {

    /** Starts {@code read} against {@code host} with the deadline and headers; a failure to start is a failed future. */
    <R> Future<R> ask(HostInfo host, Deadline deadline, Metadata headers, RemoteRead<R> read);

    /** The peer's answer, or its gRPC status as an exception; DEADLINE_EXCEEDED once the deadline passes. */
    static <R> R await(Future<R> answer, Deadline deadline) {
        try {
            return answer.get(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException status ? status
                    : Status.fromThrowable(e.getCause()).asRuntimeException();
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw Status.DEADLINE_EXCEEDED.withDescription("no answer within the deadline").asRuntimeException();
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
    }
}
