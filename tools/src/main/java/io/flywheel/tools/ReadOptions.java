package io.flywheel.tools;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --max} and {@code --timeout} of the commands that read a topic from its beginning. */
final class ReadOptions {

    @Option(names = "--max", paramLabel = "N", defaultValue = "100", description = "Stop after N records (default: ${DEFAULT-VALUE}).")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Stop when nothing arrived for this long, e.g. 500ms, 30s, 5m (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
