package io.flywheel.runtime.query;

import java.time.Duration;
import java.util.Optional;

/** Query settings for tests, without a config source. */
record TestQueryConfig(Duration forwardTimeout, Duration standbyTimeout) implements QueryConfig {

    static TestQueryConfig defaults() {
        return new TestQueryConfig(Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    @Override
    public Optional<String> authToken() {
        return Optional.empty();
    }

    @Override
    public Duration lagRefreshInterval() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration retryAfter() {
        return Duration.ofMillis(1000);
    }

    @Override
    public boolean peerTls() {
        return false;
    }
}
