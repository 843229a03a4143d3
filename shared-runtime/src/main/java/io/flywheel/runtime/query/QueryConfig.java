package io.flywheel.runtime.query;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Query serving settings shared by every service. */
@ConfigMapping(prefix = "flywheel.query")
public interface QueryConfig {

    /** Bearer token callers must present; unset: no authentication. Forwarded calls carry the caller's. */
    Optional<String> authToken();

    /** Deadline of a forwarded or fanned-out call when the caller set none. */
    @WithDefault("5s")
    Duration forwardTimeout();

    /** How long a standby may take to answer when the owner is unreachable. */
    @WithDefault("2s")
    Duration standbyTimeout();

    /** How often the store lags (allLocalStorePartitionLags) are refreshed. */
    @WithDefault("1s")
    Duration lagRefreshInterval();

    /** Retry hint sent with UNAVAILABLE during start-up or rebalance. */
    @WithDefault("1s")
    Duration retryAfter();

    /** Use TLS towards other instances when forwarding. */
    @WithDefault("false")
    boolean peerTls();
}
