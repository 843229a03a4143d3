package io.flywheel.verification.workload;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Everything the workload is a function of. The generator writes it next to the run
 * ({@code workload.json}); the verifier regenerates the same records from it.
 *
 * @param runId        prefix of every id, so two runs on one broker never share a key
 * @param seed         the random seed
 * @param events       how many records to write (valid and hostile together)
 * @param baseTimeMs   created_at of the first completion (event times stay in the past)
 * @param hostileShare share of records that are malformed or hostile
 * @param hostileKinds which hostile kinds to write (all by default)
 */
public record WorkloadSpec(String runId, long seed, long events, long baseTimeMs, double hostileShare,
                           java.util.List<HostileKind> hostileKinds) {

    /** Completions' created_at spread over this span, shorter than the sampler's boost window. */
    public static final Duration CREATED_SPAN = Duration.ofMinutes(25);

    public static WorkloadSpec of(String runId, long seed, long events, Instant now) {
        // Two hours back, hour-aligned: the latest occurred_at (created + 45 min) is still in the past.
        long base = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)).toEpochMilli();
        return new WorkloadSpec(runId, seed, events, base, 0.01, java.util.List.of(HostileKind.values()));
    }

    public WorkloadSpec withHostileKinds(java.util.List<HostileKind> kinds) {
        return new WorkloadSpec(runId, seed, events, baseTimeMs, hostileShare, kinds);
    }
}
