package io.flywheel.sampler.sampling;

import io.flywheel.events.v1.EvalSample;

/**
 * Why a completion is in the sample. A completion's inclusion probability is the highest rate
 * that applies to it, and its reason is the reason of that rate. On a tie the reason declared
 * first here wins: the most specific evidence about this completion first (a user complained
 * about it, a policy flagged it), then its model's drift, then nothing special.
 */
public enum SampleReason {
    NEGATIVE_FEEDBACK(EvalSample.Reason.NEGATIVE_FEEDBACK),
    SAFETY(EvalSample.Reason.SAFETY),
    DRIFT(EvalSample.Reason.DRIFT),
    BASELINE(EvalSample.Reason.BASELINE);

    private final EvalSample.Reason proto;

    SampleReason(EvalSample.Reason proto) {
        this.proto = proto;
    }

    public EvalSample.Reason toProto() {
        return proto;
    }
}
