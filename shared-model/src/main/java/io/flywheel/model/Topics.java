package io.flywheel.model;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.EvalSample;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.events.v1.UserEscalation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The typed catalogue of every Flywheel topic. Services, tools and tests name topics
 * only through it.
 */
public final class Topics {

    /**
     * Partition count shared by every topic keyed by conversation_id: they must be equal so the
     * sampler joins completions and feedback without a repartition.
     */
    public static final int CONVERSATION_PARTITIONS = 6;

    private static final Optional<Duration> SEVEN_DAYS = Optional.of(Duration.ofDays(7));
    private static final Optional<Duration> KEEP_FOREVER = Optional.empty();

    public static final TopicSpec<Completion> LLM_COMPLETIONS = new TopicSpec<>(
            "llm.completions", "conversation_id", Completion.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, SEVEN_DAYS, true);

    public static final TopicSpec<SafetyPolicy> SAFETY_POLICIES = new TopicSpec<>(
            "safety.policies", "policy_id", SafetyPolicy.class,
            1, TopicSpec.Cleanup.COMPACT, KEEP_FOREVER, false);

    public static final TopicSpec<ScreenedCompletion> LLM_COMPLETIONS_SCREENED = new TopicSpec<>(
            "llm.completions.screened", "conversation_id", ScreenedCompletion.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, SEVEN_DAYS, false);

    public static final TopicSpec<SafetyVerdict> SAFETY_VERDICTS = new TopicSpec<>(
            "safety.verdicts", "conversation_id", SafetyVerdict.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofDays(30)), false);

    public static final TopicSpec<QuarantinedCompletion> SAFETY_QUARANTINE = new TopicSpec<>(
            "safety.quarantine", "conversation_id", QuarantinedCompletion.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofDays(30)), true);

    public static final TopicSpec<UserEscalation> SAFETY_ESCALATIONS = new TopicSpec<>(
            "safety.escalations", "user_id", UserEscalation.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofDays(30)), false);

    public static final TopicSpec<FeedbackEvent> FEEDBACK_EVENTS = new TopicSpec<>(
            "feedback.events", "conversation_id", FeedbackEvent.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, SEVEN_DAYS, false);

    public static final TopicSpec<FeedbackAggregate> FEEDBACK_AGGREGATES = new TopicSpec<>(
            "feedback.aggregates", "aggregate key (AggregateKey)", FeedbackAggregate.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.COMPACT, KEEP_FOREVER, false);

    public static final TopicSpec<DriftAlert> FEEDBACK_ALERTS = new TopicSpec<>(
            "feedback.alerts", "model key (AggregateKey)", DriftAlert.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.COMPACT, KEEP_FOREVER, false);

    public static final TopicSpec<EvalSample> EVAL_SAMPLES = new TopicSpec<>(
            "eval.samples", "conversation_id", EvalSample.class,
            CONVERSATION_PARTITIONS, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofDays(30)), false);

    /** Every topic with a fixed name (dead-letter topics are per application id). */
    public static final List<TopicSpec<?>> ALL = List.of(
            LLM_COMPLETIONS, SAFETY_POLICIES, LLM_COMPLETIONS_SCREENED, SAFETY_VERDICTS,
            SAFETY_QUARANTINE, SAFETY_ESCALATIONS, FEEDBACK_EVENTS, FEEDBACK_AGGREGATES,
            FEEDBACK_ALERTS, EVAL_SAMPLES);

    /**
     * The dead-letter topic of one Streams application: original key and value bytes, error
     * headers. Restricted when the application reads raw user text (the safety filter's does).
     */
    public static TopicSpec<byte[]> deadLetter(String applicationId, boolean restricted) {
        return new TopicSpec<>(applicationId + ".dlq", "original key bytes", byte[].class,
                1, TopicSpec.Cleanup.DELETE, Optional.of(Duration.ofDays(14)), restricted);
    }

    private Topics() {
    }
}
