package io.flywheel.safety.topology;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.runtime.state.ExpiryIndex;
import io.flywheel.safety.rules.EscalationRule;
import io.flywheel.safety.rules.RiskTally;
import io.flywheel.state.v1.UserFindings;
import io.flywheel.state.v1.UserRiskWindow;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Counts each user's findings per tumbling window (in the user's partition, after the shuffle)
 * and emits one {@link UserEscalation} per user per window: on the completion whose findings
 * take the window's count to the threshold. Windows and their escalations are kept for the
 * risk retention after the window ends (stream time), then swept; findings for a window already
 * past that are too late and not counted, so a swept window is never re-opened.
 */
final class UserRiskCounter implements Processor<String, UserFindings, String, UserEscalation> {

    private static final Logger LOG = Logger.getLogger(UserRiskCounter.class);

    private final SafetySettings settings;
    private ProcessorContext<String, UserEscalation> context;
    private KeyValueStore<String, UserRiskWindow> windows;
    private KeyValueStore<String, UserEscalation> escalations;
    private ExpiryIndex expiry;

    UserRiskCounter(SafetySettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, UserEscalation> context) {
        this.context = context;
        this.windows = context.getStateStore(SafetyStores.RISK_STORE);
        this.escalations = context.getStateStore(SafetyStores.ESCALATIONS_STORE);
        this.expiry = new ExpiryIndex(context.getStateStore(SafetyStores.RISK_EXPIRY_STORE));
        context.schedule(ExpiryIndex.sweepInterval(settings.riskRetention()), PunctuationType.STREAM_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, UserFindings> record) {
        expiry.catchUp(context.currentStreamTimeMs(), this::expireWindow);
        EscalationRule rule = settings.escalation();
        String userId = record.key();
        UserFindings findings = record.value();
        long start = rule.windowStart(findings.getEventTimeMs());
        long end = start + rule.window().toMillis();
        long expiresAt = end + settings.riskRetention().toMillis();
        if (expiresAt <= context.currentStreamTimeMs()) {
            LOG.debugf("findings of completion %s for user %s are too late for their window %d", findings.getCompletionId(),
                    userId, start);
            return;
        }
        String key = UserWindowKey.of(userId, start);
        UserRiskWindow stored = windows.get(key);
        RiskTally current = stored == null ? RiskTally.empty(start, end)
                : new RiskTally(stored.getWindowStartMs(), stored.getWindowEndMs(),
                        new TreeMap<>(stored.getFindingsByCategoryMap()), stored.getFindingCount(), stored.getEscalated());
        RiskTally.Update update = current.add(findings.getFindingsByCategoryMap(), rule.threshold());
        RiskTally next = update.window();
        windows.put(key, UserRiskWindow.newBuilder()
                .setWindowStartMs(next.windowStartMs())
                .setWindowEndMs(next.windowEndMs())
                .putAllFindingsByCategory(next.findingsByCategory())
                .setFindingCount(next.findingCount())
                .setEscalated(next.escalated())
                .build());
        if (stored == null) {
            expiry.schedule(key, expiresAt);
        }
        if (update.escalateNow()) {
            UserEscalation escalation = UserEscalation.newBuilder()
                    .setUserId(userId)
                    .setWindowStart(Timestamps.fromMillis(next.windowStartMs()))
                    .setWindowEnd(Timestamps.fromMillis(next.windowEndMs()))
                    .setFindingCount(next.findingCount())
                    .putAllFindingsByCategory(next.findingsByCategory())
                    .setThreshold(rule.threshold())
                    .setCompletionId(findings.getCompletionId())
                    .setConversationId(findings.getConversationId())
                    .setEscalatedAt(Timestamps.fromMillis(context.currentSystemTimeMs()))
                    .build();
            escalations.put(key, escalation);
            context.forward(record.withValue(escalation));
        }
    }

    private void sweep(long streamTimeMs) {
        expiry.sweep(streamTimeMs, this::expireWindow);
    }

    private void expireWindow(String key) {
        windows.delete(key);
        escalations.delete(key);
    }
}
