package io.flywheel.verification.workload;

import java.util.Set;

/**
 * Malformed or hostile records, and the dead-letter topics each must land in (exactly once).
 * Feedback is read by the aggregator and the sampler, so malformed feedback belongs in both of
 * their DLQs unless only one of them documents the rule it breaks.
 */
public enum HostileKind {
    COMPLETION_GARBAGE_BYTES(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    COMPLETION_MISSING_ID(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    COMPLETION_KEY_MISMATCH(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    COMPLETION_NO_KEY(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    COMPLETION_MISSING_MODEL(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    COMPLETION_CONTROL_CHARS_IN_USER(Stream.COMPLETIONS, Set.of(Dlq.SAFETY)),
    FEEDBACK_GARBAGE_BYTES(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    FEEDBACK_MISSING_ID(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    FEEDBACK_MISSING_COMPLETION_ID(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    FEEDBACK_RATING_OUT_OF_RANGE(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    FEEDBACK_NO_SIGNAL(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    FEEDBACK_MISSING_OCCURRED_AT(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    /** A thumb up dated a year ahead: every reader of feedback.events bounds clock skew (max-clock-skew). */
    FEEDBACK_FUTURE_DATED(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER)),
    /** occurred_at beyond year 9999, outside google.protobuf.Timestamp's valid range. */
    FEEDBACK_TIMESTAMP_OUT_OF_RANGE(Stream.FEEDBACK, Set.of(Dlq.AGGREGATOR, Dlq.SAMPLER));

    public enum Stream { COMPLETIONS, FEEDBACK }

    /** The dead-letter topics, by the documented name {@code <application-id>.dlq}. */
    public enum Dlq {
        SAFETY("safety-filter.dlq"), AGGREGATOR("feedback-aggregator.dlq"), SAMPLER("eval-sampler.dlq");

        public final String topic;

        Dlq(String topic) {
            this.topic = topic;
        }
    }

    public final Stream stream;
    public final Set<Dlq> dlqs;

    HostileKind(Stream stream, Set<Dlq> dlqs) {
        this.stream = stream;
        this.dlqs = dlqs;
    }
}
