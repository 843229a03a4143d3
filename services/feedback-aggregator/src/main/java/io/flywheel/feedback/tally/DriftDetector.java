package io.flywheel.feedback.tally;

import io.flywheel.events.v1.DriftAlert;
import java.util.Optional;

/**
 * Decides when a cohort bucket's approval has drifted below the baseline of the previous
 * buckets: a pooled two-proportion z-test, with a hysteresis band so a key alerts once and
 * recovers once instead of flapping with every vote.
 *
 * @param baselineBuckets how many previous buckets form the baseline (K)
 * @param minVotes        thumbs a bucket, and its baseline, need before they are judged
 * @param fireZ           fire when z ≤ −fireZ
 * @param recoverZ        recover when z ≥ −recoverZ (recoverZ < fireZ is the hysteresis band)
 */
public record DriftDetector(int baselineBuckets, long minVotes, double fireZ, double recoverZ) {

    public DriftDetector {
        if (baselineBuckets < 1) {
            throw new IllegalArgumentException("baseline buckets must be at least 1, got " + baselineBuckets);
        }
        if (minVotes < 1) {
            throw new IllegalArgumentException("minimum votes must be at least 1, got " + minVotes);
        }
        if (!(fireZ > 0) || recoverZ < 0 || recoverZ >= fireZ) {
            throw new IllegalArgumentException("need fireZ > recoverZ >= 0, got fireZ=" + fireZ + " recoverZ=" + recoverZ);
        }
    }

    /** The comparison of a bucket with its baseline. */
    public record Comparison(long bucketUp, long bucketVotes, long baselineUp, long baselineVotes, double zScore) {
        public double bucketApproval() {
            return bucketVotes == 0 ? 0 : (double) bucketUp / bucketVotes;
        }

        public double baselineApproval() {
            return baselineVotes == 0 ? 0 : (double) baselineUp / baselineVotes;
        }
    }

    public Comparison compare(long bucketUp, long bucketDown, long baselineUp, long baselineDown) {
        long n1 = bucketUp + bucketDown;
        long n0 = baselineUp + baselineDown;
        double z = 0;
        if (n1 > 0 && n0 > 0) {
            double p1 = (double) bucketUp / n1;
            double p0 = (double) baselineUp / n0;
            double pooled = (double) (bucketUp + baselineUp) / (n1 + n0);
            double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n0));
            z = se == 0 ? 0 : (p1 - p0) / se;
        }
        return new Comparison(bucketUp, n1, baselineUp, n0, z);
    }

    /** The state change this comparison causes, if any, given whether the key is alerting now. */
    public Optional<DriftAlert.State> transition(boolean firing, Comparison comparison) {
        if (comparison.bucketVotes() < minVotes || comparison.baselineVotes() < minVotes) {
            return Optional.empty();
        }
        if (!firing && comparison.zScore() <= -fireZ) {
            return Optional.of(DriftAlert.State.FIRING);
        }
        if (firing && comparison.zScore() >= -recoverZ) {
            return Optional.of(DriftAlert.State.RECOVERED);
        }
        return Optional.empty();
    }
}
