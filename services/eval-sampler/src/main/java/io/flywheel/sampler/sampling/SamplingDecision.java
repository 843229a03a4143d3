package io.flywheel.sampler.sampling;

/**
 * The decision for one completion: sampled iff {@code u < r}, where r is the highest applicable
 * rate; the reason is that rate's reason (ties: {@link SampleReason} order) and the inclusion
 * probability is r itself. Because u is the conversation's fixed draw and r depends only on the
 * completion's attributes and on traffic counts (never on any u), r is exactly the probability
 * with which this completion enters the sample.
 *
 * @param sampled              whether the completion is in the sample
 * @param reason               the reason of the highest applicable rate (also when not sampled)
 * @param inclusionProbability the highest applicable rate
 */
public record SamplingDecision(boolean sampled, SampleReason reason, double inclusionProbability) {

    public static SamplingDecision decide(double u, ApplicableRates rates) {
        if (!(u >= 0.0 && u < 1.0)) {
            throw new IllegalArgumentException("u must be in [0, 1), got " + u);
        }
        SampleReason reason = rates.leadingReason();
        double rate = rates.highestRate();
        return new SamplingDecision(u < rate, reason, rate);
    }

    /** The deterministic id this decision's sample has, for the given completion. */
    public String sampleId(String conversationId, String completionId) {
        return SampleId.of(conversationId, completionId, reason);
    }
}
