package io.flywheel.runtime.query;

import io.grpc.Channel;
import java.util.concurrent.Future;

/**
 * Asks another instance the same question, asynchronously (a future stub): a call waiting for a
 * peer holds no thread, so a peer that stops answering cannot starve other queries.
 */
@FunctionalInterface
public interface RemoteRead<R> {
    /** @param channel a channel to the peer that already carries the deadline and forwarding headers */
    Future<R> call(Channel channel);
}
