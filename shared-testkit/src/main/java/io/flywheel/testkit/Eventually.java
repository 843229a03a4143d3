package io.flywheel.testkit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** Waits for a condition on a live mesh, where UNAVAILABLE (start-up, rebalance) means "not yet". */
public final class Eventually {

    /** A condition that may call a service. */
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Eventually() {
    }

    public static void holds(Condition condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("condition did not hold within " + timeout + (last == null ? "" : "; last: " + last.getStatus()));
    }
}
