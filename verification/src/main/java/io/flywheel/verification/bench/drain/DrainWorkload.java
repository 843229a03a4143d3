package io.flywheel.verification.bench.drain;

import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.ScreenedCompletion;
import io.flywheel.model.Topics;
import io.flywheel.verification.workload.Planned;
import io.flywheel.verification.workload.SeededContent;
import io.flywheel.verification.workload.Workload;
import io.flywheel.verification.workload.WorkloadSpec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The pre-loaded input of the drain benchmark, from the harness's workload without malformed records:
 * completions on {@code llm.completions} of which {@link #SEEDED_SHARE} carry PII, a secret or an
 * injection; each completion also as the safety filter would pass it on, on
 * {@code llm.completions.screened}; the feedback (vote changes, clears, out-of-order series,
 * duplicates) on {@code feedback.events}. The safety filter drains the first topic, the aggregator
 * the last, the sampler the last two.
 */
public final class DrainWorkload implements Iterator<Planned> {

    /** Share of completions whose text carries PII, a secret or an injection. */
    public static final double SEEDED_SHARE = 0.10;

    private final Workload workload;
    private final ArrayDeque<Planned> ready = new ArrayDeque<>();
    private long completions;
    private long seeded;

    /** @param records workload records to draw from (completions and feedback; the screened copies come on top) */
    public DrainWorkload(long records, Instant now) {
        this.workload = new Workload(new WorkloadSpec("drain", 10, records,
                WorkloadSpec.of("drain", 10, records, now).baseTimeMs(), 0.0, List.of()));
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && workload.hasNext()) {
            take(workload.next());
        }
        return !ready.isEmpty();
    }

    @Override
    public Planned next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void take(Planned record) {
        if (!record.isValidCompletion()) {
            ready.add(record);
            return;
        }
        SeededContent content = record.seeded().orElse(SeededContent.PLAIN);
        boolean hostile = !content.categories.isEmpty();
        // The run's own keyword is not PII, a secret or an injection; the others are thinned to the share.
        if (content == SeededContent.RUN_KEYWORD_IN_RESPONSE || hostile && seeded + 1 > SEEDED_SHARE * (completions + 1)) {
            return;
        }
        completions++;
        seeded += hostile ? 1 : 0;
        ready.add(record);
        ready.add(new Planned(record.recordId() + "-screened", Topics.LLM_COMPLETIONS_SCREENED.name(), record.key(),
                screened(record.completion(), hostile), null, Optional.empty(), record.seeded()));
    }

    /** As the safety filter passes it on: PLAIN allowed, the others flagged (none here is blocked). */
    static ScreenedCompletion screened(Completion completion, boolean hostile) {
        return ScreenedCompletion.newBuilder().setCompletion(completion).setVerdict(SafetyVerdict.newBuilder()
                .setCompletionId(completion.getCompletionId()).setConversationId(completion.getConversationId())
                .setUserId(completion.getUserId()).setModel(completion.getModel())
                .setDecision(hostile ? SafetyVerdict.Decision.FLAG : SafetyVerdict.Decision.ALLOW)
                .setPolicySetRevision("drain-workload")).build();
    }
}
