package io.flywheel.testkit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** Waits for a service's queries to answer: during start-up they fail UNAVAILABLE with a retry hint. */
public final class QueryReadiness {

    private QueryReadiness() {
    }

    /**
     * Calls {@code query} until it answers. Any status other than UNAVAILABLE is rethrown, and so is
     * an UNAVAILABLE without the {@code retry after} hint the services promise.
     */
    public static void await(Runnable query, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                query.run();
                return;
            } catch (StatusRuntimeException e) {
                String description = String.valueOf(e.getStatus().getDescription());
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
                    throw e;
                }
                if (!description.contains("retry after")) {
                    throw new AssertionError("UNAVAILABLE without a retry hint: " + description, e);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
