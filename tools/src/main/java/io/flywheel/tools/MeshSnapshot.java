package io.flywheel.tools;

import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.SafetyVerdict;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.GetFeedbackStatsRequest;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.StratumStats;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One look at the mesh, through the services' gRPC query APIs (model keys with their drift state,
 * strata and negative-feedback outcomes, escalated users) and the topic tally (rates, decisions,
 * dead letters). A service that does not answer leaves its part empty and says why.
 */
record MeshSnapshot(Instant at, List<KeyStats> keys, Map<String, DriftAlert> alerts, List<StratumStats> strata,
                    Optional<FeedbackStats> feedback, List<UserEscalation> escalations, Map<String, Long> records,
                    Map<SafetyVerdict.Decision, Long> decisions, Map<String, String> errors) {

    /** The three services' channels, and how long one look may wait for each answer. */
    record Channels(ManagedChannel aggregator, ManagedChannel safety, ManagedChannel sampler, long deadlineMillis) {
    }

    static MeshSnapshot take(Channels channels, TopicTally tally, Instant now) {
        long deadline = channels.deadlineMillis();
        Map<String, String> errors = new LinkedHashMap<>();
        List<KeyStats> keys = new ArrayList<>();
        Map<String, DriftAlert> alerts = new LinkedHashMap<>();
        try {
            var aggregator = FeedbackQueryServiceGrpc.newBlockingStub(channels.aggregator());
            keys.addAll(MeshQueries.allKeys(aggregator, deadline, null, page -> { }));
            for (KeyStats key : keys) {
                GetStatsResponse stats = aggregator.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS)
                        .getStats(GetStatsRequest.newBuilder().setKey(key.getKey()).build());
                if (stats.hasLastAlert()) {
                    alerts.put(MeshQueries.label(key.getKey()), stats.getLastAlert());
                }
            }
        } catch (StatusRuntimeException e) {
            errors.put("feedback-aggregator", describe(e));
        }
        List<StratumStats> strata = new ArrayList<>();
        Optional<FeedbackStats> feedback = Optional.empty();
        try {
            var sampler = SamplerQueryServiceGrpc.newBlockingStub(channels.sampler());
            strata.addAll(MeshQueries.allStrata(sampler, deadline, page -> { }));
            var answer = sampler.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS).getFeedbackStats(GetFeedbackStatsRequest.getDefaultInstance());
            MeshQueries.requireComplete(answer.getServersList());
            feedback = Optional.of(answer.getStats());
        } catch (StatusRuntimeException e) {
            errors.put("eval-sampler", describe(e));
        }
        List<UserEscalation> escalations = new ArrayList<>();
        try {
            escalations.addAll(MeshQueries.allEscalations(SafetyQueryServiceGrpc.newBlockingStub(channels.safety()), deadline, page -> { }));
        } catch (StatusRuntimeException e) {
            errors.put("safety-filter", describe(e));
        }
        if (tally.failure() != null) {
            errors.put("topic tally", String.valueOf(tally.failure()));
        }
        return new MeshSnapshot(now, keys, alerts, strata, feedback, escalations, tally.records(), tally.decisions(), errors);
    }

    private static String describe(StatusRuntimeException e) {
        String description = e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription();
        // One line in the view: gRPC's deadline messages run on with connection details.
        return e.getStatus().getCode() + (description.length() > 100 ? description.substring(0, 100) + "…" : description);
    }

    /** The model keys whose drift alert is firing now. */
    List<String> firing() {
        return alerts.entrySet().stream().filter(e -> e.getValue().getState() == DriftAlert.State.FIRING).map(Map.Entry::getKey).toList();
    }

    long sampled(String stratum, String reason) {
        return strata.stream().filter(s -> s.getStratum().equals(stratum)).mapToLong(s -> QueryCommand.reason(s, reason)).sum();
    }

    long sampled(String reason) {
        return strata.stream().mapToLong(s -> QueryCommand.reason(s, reason)).sum();
    }
}
