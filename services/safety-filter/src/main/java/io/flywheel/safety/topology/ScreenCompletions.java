package io.flywheel.safety.topology;

import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.QuarantinedCompletion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.RecordLimits;
import io.flywheel.model.Topics;
import io.flywheel.runtime.deadletter.DeadLetterHeaders;
import io.flywheel.runtime.metrics.RecordFlow;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.safety.rules.Finding;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.Screening;
import io.flywheel.state.v1.ConversationVerdicts;
import io.flywheel.state.v1.RetainedVerdict;
import io.flywheel.state.v1.UserFindings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Screens each completion against the policy set in force and forwards, in its conversation's
 * partition: exactly one {@link SafetyVerdict}; a {@link ScreenedCompletion} (redacted where
 * needed) unless the decision is BLOCK, then a {@link QuarantinedCompletion} instead; the
 * user's counted findings ({@link UserFindings}, keyed by user_id, for the shuffle); and keeps
 * the conversation's recent verdicts.
 *
 * <p>If screening itself throws (a detector bug), or its output would exceed the producer's
 * limit (redaction lengthens text), the completion is forwarded unchanged with dead-letter
 * headers, for the restricted DLQ: nothing unscreened travels on and the stream keeps running.
 * Such a completion gets no verdict.
 */
final class ScreenCompletions implements Processor<String, Completion, String, Message> {

    private static final Logger LOG = Logger.getLogger(ScreenCompletions.class);

    private final SafetySettings settings;
    private final ActivePolicySet active;
    private final SafetyMetrics metrics;
    private ProcessorContext<String, Message> context;
    private KeyValueStore<String, ConversationVerdicts> verdicts;
    private ExpiryIndex expiry;

    ScreenCompletions(SafetySettings settings, ActivePolicySet active, SafetyMetrics metrics) {
        this.settings = settings;
        this.active = active;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Message> context) {
        this.context = context;
        this.verdicts = context.getStateStore(SafetyStores.VERDICTS_STORE);
        this.expiry = new ExpiryIndex(context.getStateStore(SafetyStores.VERDICT_EXPIRY_STORE));
        context.schedule(ExpiryIndex.sweepInterval(settings.verdictRetention()), PunctuationType.STREAM_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, Completion> record) {
        expiry.catchUp(context.currentStreamTimeMs(), this::expireVerdicts);
        Completion completion = record.value();
        PolicySet policies = active.get();
        Screening screening;
        try {
            screening = policies.screen(completion.getPromptText(), completion.getResponseText());
        } catch (RuntimeException | StackOverflowError e) {
            deadLetter(record, policies, e);
            return;
        }
        metrics.decided(screening.decision(), screening.findings());
        SafetyVerdict verdict = verdict(completion, screening, policies.revision(), context.currentSystemTimeMs());
        Message passedOn;
        if (screening.decision() == SafetyVerdict.Decision.BLOCK) {
            passedOn = QuarantinedCompletion.newBuilder().setCompletion(completion).setVerdict(verdict).build();
        } else {
            Completion screened = screening.decision() == SafetyVerdict.Decision.REDACT
                    ? completion.toBuilder().setPromptText(screening.redactedPrompt()).setResponseText(screening.redactedResponse()).build()
                    : completion;
            passedOn = ScreenedCompletion.newBuilder().setCompletion(screened).setVerdict(verdict).build();
        }
        // Redaction lengthens text: what would not fit the producer's limit is dead-lettered before anything is written.
        int outputBytes = passedOn.getSerializedSize() + record.key().length() * 3 + headerBytes(record);
        if (outputBytes > RecordLimits.MAX_OUTPUT_BYTES) {
            deadLetter(record, policies, new RecordTooLargeException("the " + passedOn.getDescriptorForType().getName()
                    + " would be " + outputBytes + " bytes, above the output limit of " + RecordLimits.MAX_OUTPUT_BYTES));
            return;
        }
        context.forward(own(record).withValue(verdict));
        context.forward(own(record).withValue(passedOn));
        Map<String, Long> counts = settings.escalation().countsOf(screening.findings());
        if (!counts.isEmpty()) {
            long eventTime = completion.hasCreatedAt() && Timestamps.toMillis(completion.getCreatedAt()) > 0
                    ? Timestamps.toMillis(completion.getCreatedAt()) : record.timestamp();
            context.forward(own(record).withKey(completion.getUserId()).withValue(UserFindings.newBuilder()
                    .setCompletionId(completion.getCompletionId())
                    .setConversationId(completion.getConversationId())
                    .setEventTimeMs(eventTime)
                    .putAllFindingsByCategory(counts)
                    .build()));
        }
        remember(record.key(), verdict, record.timestamp());
    }

    SafetyVerdict verdict(Completion completion, Screening screening, String revision, long nowMs) {
        List<Finding> listed = FindingLimit.strongest(screening.findings(), settings.maxFindings());
        SafetyVerdict.Builder verdict = SafetyVerdict.newBuilder()
                .setCompletionId(completion.getCompletionId())
                .setConversationId(completion.getConversationId())
                .setUserId(completion.getUserId())
                .setModel(completion.getModel())
                .setDecision(screening.decision())
                .setPolicySetRevision(revision)
                .setEvaluatedAt(Timestamps.fromMillis(nowMs))
                .setDroppedFindings(screening.findings().size() - listed.size());
        for (Finding finding : listed) {
            verdict.addFindings(finding.toProto());
        }
        return verdict.build();
    }

    private static int headerBytes(Record<String, Completion> record) {
        int bytes = 0;
        for (org.apache.kafka.common.header.Header header : record.headers()) {
            bytes += header.key().length() * 3 + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    /** Each output gets its own copy of the input's headers: a serializer may add to them. */
    private static Record<String, Completion> own(Record<String, Completion> record) {
        return record.withHeaders(new RecordHeaders(record.headers().toArray()));
    }

    private void remember(String conversationId, SafetyVerdict verdict, long recordTimeMs) {
        long retention = settings.verdictRetention().toMillis();
        ConversationVerdicts next = RecentVerdicts.add(verdicts.get(conversationId),
                RetainedVerdict.newBuilder().setRecordTimeMs(recordTimeMs).setVerdict(verdict).build(),
                settings.verdictsPerConversation(), context.currentStreamTimeMs() - retention);
        if (next.getVerdictsCount() == 0) {
            verdicts.delete(conversationId);
        } else {
            verdicts.put(conversationId, next);
            expiry.schedule(conversationId, recordTimeMs + retention);
        }
    }

    private void sweep(long streamTimeMs) {
        expiry.sweep(streamTimeMs, this::expireVerdicts);
    }

    /** Drops the conversation's verdicts past the retention (as of stream time); the others keep their own index entries. */
    private void expireVerdicts(String conversationId) {
        ConversationVerdicts current = verdicts.get(conversationId);
        if (current == null) {
            return;
        }
        ConversationVerdicts kept = RecentVerdicts.expire(current, context.currentStreamTimeMs() - settings.verdictRetention().toMillis());
        if (kept.getVerdictsCount() == 0) {
            verdicts.delete(conversationId);
        } else if (kept.getVerdictsCount() != current.getVerdictsCount()) {
            verdicts.put(conversationId, kept);
        }
    }

    private void deadLetter(Record<String, Completion> record, PolicySet policies, Throwable failure) {
        LOG.errorf(failure, "completion %s not screened under policy set %s; dead-lettered",
                record.value().getCompletionId(), policies.revision());
        String message = failure instanceof RecordTooLargeException
                ? failure.getMessage() + " (policy set " + policies.revision() + ")"
                : "screening failed under policy set " + policies.revision() + ": " + failure;
        metrics.flow().deadLettered(Topics.LLM_COMPLETIONS.name(), RecordFlow.Reason.PROCESSING_FAILED);
        context.forward(record.<Message>withValue(record.value()).withHeaders(DeadLetterHeaders.stamp(
                new RecordHeaders(record.headers().toArray()), context.recordMetadata(), settings.applicationId(),
                failure.getClass().getName(), message)));
    }
}
