package io.flywheel.tools;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.DriftAlert;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.UserEscalation;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub;
import io.flywheel.query.v1.FeedbackStats;
import io.flywheel.query.v1.GetFeedbackStatsRequest;
import io.flywheel.query.v1.GetFeedbackStatsResponse;
import io.flywheel.query.v1.GetPolicySetRequest;
import io.flywheel.query.v1.GetPolicySetResponse;
import io.flywheel.query.v1.GetSamplingPolicyRequest;
import io.flywheel.query.v1.GetSamplingPolicyResponse;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.GetUserRiskResponse;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.RiskWindow;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.query.v1.SkippedPolicy;
import io.flywheel.query.v1.StratumPolicy;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.query.v1.TopKeysRequest;
import io.flywheel.query.v1.TopKeysResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractBlockingStub;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Everyday questions to the services, over the same gRPC APIs any client uses: a table by default,
 * the answer itself as JSON with {@code --json}. A refused call (a bad argument, an unknown key, a
 * service that is down or rebalancing) is one line on stderr and a non-zero exit.
 *
 * <p>Longer than most classes here: each question is a small nested picocli subcommand (options,
 * one call, one table), and keeping them together shows every question a user can ask at a glance.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Ask the services over gRPC: tables for people, --json for the answers as sent.",
        subcommands = {
                QueryCommand.Keys.class, QueryCommand.Stats.class, QueryCommand.Top.class,
                QueryCommand.Strata.class, QueryCommand.SamplingPolicy.class,
                QueryCommand.PolicySet.class, QueryCommand.Risk.class, QueryCommand.Escalations.class,
        })
final class QueryCommand {

    /** Exit code of a call the service refused as wrong (INVALID_ARGUMENT, NOT_FOUND, ...). */
    static final int REFUSED = 2;
    /** Exit code of a call that did not reach an answering service (UNAVAILABLE, DEADLINE_EXCEEDED). */
    static final int UNREACHABLE = 3;

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    /** One query: opens a channel to its service, maps a refused call to a message and an exit code. */
    abstract static class Call implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        MeshAddresses mesh;

        @Option(names = "--json", description = "Print the gRPC answer as JSON (one object per line) instead of a table.")
        boolean json;

        /** The address of the service this query asks. */
        abstract String target();

        abstract void run(ManagedChannel channel, PrintWriter out) throws Exception;

        @Override
        public final Integer call() throws Exception {
            String target = target();
            ManagedChannel channel = mesh.open(target);
            PrintWriter out = spec.commandLine().getOut();
            try {
                run(channel, out);
                out.flush();
                return 0;
            } catch (StatusRuntimeException e) {
                out.flush();
                spec.commandLine().getErr().println(describe(e, target));
                return exitCode(e.getStatus());
            } finally {
                channel.shutdownNow();
            }
        }

        <S extends AbstractBlockingStub<S>> S withDeadline(S stub) {
            return stub.withDeadlineAfter(mesh.deadline.toMillis(), TimeUnit.MILLISECONDS);
        }

        void printJson(PrintWriter out, Message message) {
            try {
                out.println(JSON.print(message));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("not printable as JSON: " + message.getDescriptorForType().getFullName(), e);
            }
        }

        long deadlineMillis() {
            return mesh.deadline.toMillis();
        }
    }

    static String describe(StatusRuntimeException e, String target) {
        Status status = e.getStatus();
        StringBuilder message = new StringBuilder("error: ").append(status.getCode()).append(" from ").append(target);
        if (status.getDescription() != null) {
            message.append(": ").append(status.getDescription());
        }
        if (status.getCause() != null) {
            message.append(" (").append(status.getCause().getMessage()).append(')');
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
            message.append("\n  is the service running there? tools/flywheel-local status lists the local stack");
        }
        return message.toString();
    }

    static int exitCode(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN -> UNREACHABLE;
            default -> REFUSED;
        };
    }

    // ------------------------------------------------------------------ feedback-aggregator

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Every model key with its all-time stats (feedback-aggregator ListKeys).")
    static final class Keys extends Call {

        @Option(names = "--model", paramLabel = "NAME", description = "Only keys of this model name.")
        String model;

        @Override
        String target() {
            return mesh.aggregator;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            List<KeyStats> keys = MeshQueries.allKeys(FeedbackQueryServiceGrpc.newBlockingStub(channel), deadlineMillis(), model, page -> {
                if (json) {
                    printJson(out, page);
                }
            });
            if (!json) {
                keyTable(keys).print(out);
            }
        }
    }

    static Table keyTable(List<KeyStats> keys) {
        Table table = new Table("MODEL KEY", "UP", "DOWN", "APPROVAL", "WILSON-LOW", "RATINGS", "MEAN", "REGEN", "COPIES", "REPORTS");
        keys.forEach(k -> table.row(MeshQueries.label(k.getKey()), k.getAllTime().getThumbsUp(), k.getAllTime().getThumbsDown(),
                percent(k.getAllTime().getApprovalRate()), percent(k.getAllTime().getApprovalWilsonLower()),
                k.getAllTime().getRatingCount(), String.format(Locale.ROOT, "%.2f", k.getAllTime().getMeanRating()),
                k.getAllTime().getRegenerations(), k.getAllTime().getCopies(), reports(k.getAllTime())));
        return table;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"One model key's all-time stats, its latest cohort buckets and drift state (GetStats), with which "
                    + "instance answered; or, with --all, every key's GetStats in turn (to see how answers are routed)."})
    static final class Stats extends Call {

        @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "Model name, e.g. gpt-4o.")
        String model;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "Model version, e.g. 2024-08-06.")
        String version;

        @Parameters(index = "2", arity = "0..1", paramLabel = "PROMPT", description = "Prompt version, e.g. support-v7.")
        String prompt;

        @Option(names = "--buckets", paramLabel = "N", defaultValue = "5", description = "Latest cohort buckets to show (default: ${DEFAULT-VALUE}).")
        int buckets;

        @Option(names = "--max-lag", paramLabel = "RECORDS",
                description = "Accept a standby's answer this many records behind when the owner is unreachable.")
        Long maxLag;

        @Option(names = "--all", description = "GetStats on every key (from ListKeys), one line each with the instance that answered.")
        boolean all;

        @Override
        String target() {
            return mesh.aggregator;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            if (all == (model != null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give MODEL VERSION PROMPT, or --all");
            }
            if (!all && (version == null || prompt == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give MODEL VERSION PROMPT (all three)");
            }
            FeedbackQueryServiceBlockingStub stub = FeedbackQueryServiceGrpc.newBlockingStub(channel);
            if (all) {
                Table table = new Table("MODEL KEY", "UP", "DOWN", "APPROVAL", "DRIFT", "SERVED BY", "ROLE", "PARTITION", "RECEIVED BY");
                Map<String, Integer> servedBy = new TreeMap<>();
                for (KeyStats key : MeshQueries.allKeys(stub, deadlineMillis(), null, page -> { })) {
                    GetStatsResponse stats = withDeadline(stub).getStats(request(key.getKey(), 0));
                    ResponseMetadata meta = stats.getMetadata();
                    servedBy.merge(meta.getServedBy(), 1, Integer::sum);
                    if (json) {
                        printJson(out, stats);
                    } else {
                        table.row(MeshQueries.label(stats.getKey()), stats.getAllTime().getThumbsUp(), stats.getAllTime().getThumbsDown(),
                                percent(stats.getAllTime().getApprovalRate()), driftState(stats), meta.getServedBy(), meta.getRole(),
                                meta.getPartition(), meta.getReceivedBy());
                    }
                }
                if (!json) {
                    table.print(out);
                    out.println();
                    out.println("answers by serving instance: " + servedBy);
                }
                return;
            }
            ModelKey key = ModelKey.newBuilder().setModelName(model).setModelVersion(version).setPromptVersion(prompt).build();
            GetStatsResponse stats = withDeadline(stub).getStats(request(key, buckets));
            if (json) {
                printJson(out, stats);
                return;
            }
            ResponseMetadata meta = stats.getMetadata();
            out.printf("%s   served by %s (%s, partition %d, lag %d), received by %s%n", MeshQueries.label(stats.getKey()), meta.getServedBy(),
                    meta.getRole(), meta.getPartition(), meta.getLagRecords(), meta.getReceivedBy());
            Table table = new Table("COHORT", "UP", "DOWN", "APPROVAL", "WILSON-LOW", "RATINGS", "MEAN", "REGEN", "COPIES", "REPORTS", "TOO-LATE");
            aggregateRow(table, "all-time", stats.getAllTime());
            stats.getBucketsList().forEach(b -> aggregateRow(table, Timestamps.toString(b.getBucket().getStart()), b));
            table.print(out);
            if (stats.hasLastAlert()) {
                out.println("drift: " + alertLine(stats.getLastAlert()));
            }
        }

        private GetStatsRequest request(ModelKey key, int lastBuckets) {
            GetStatsRequest.Builder request = GetStatsRequest.newBuilder().setKey(key).setLastBuckets(lastBuckets);
            if (maxLag != null) {
                request.setMaxLagRecords(maxLag);
            }
            return request.build();
        }

        private static void aggregateRow(Table table, String cohort, FeedbackAggregate a) {
            table.row(cohort, a.getThumbsUp(), a.getThumbsDown(), percent(a.getApprovalRate()), percent(a.getApprovalWilsonLower()),
                    a.getRatingCount(), String.format(Locale.ROOT, "%.2f", a.getMeanRating()), a.getRegenerations(), a.getCopies(),
                    reports(a), a.getTooLate());
        }
    }

    static String driftState(GetStatsResponse stats) {
        return stats.hasLastAlert() ? stats.getLastAlert().getState().name() : "-";
    }

    static String alertLine(DriftAlert alert) {
        return String.format(Locale.ROOT, "%s for the bucket from %s: approval %s of %d thumbs vs baseline %s of %d, z %.1f", alert.getState(),
                Timestamps.toString(alert.getBucket().getStart()), percent(alert.getBucketApproval()), alert.getBucketVotes(),
                percent(alert.getBaselineApproval()), alert.getBaselineVotes(), alert.getZScore());
    }

    @Command(name = "top", mixinStandardHelpOptions = true, description = "The best model keys by approval (Wilson lower bound) or by volume (TopKeys).")
    static final class Top extends Call {

        @Option(names = "-k", paramLabel = "K", defaultValue = "10", description = "How many keys (default: ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--by", paramLabel = "RANKING", defaultValue = "APPROVAL",
                description = "APPROVAL (Wilson lower bound) or VOLUME (default: ${DEFAULT-VALUE}).")
        TopKeysRequest.Ranking rankBy;

        @Option(names = "--min-votes", paramLabel = "N", defaultValue = "0", description = "Leave out keys with fewer thumbs (APPROVAL only).")
        long minVotes;

        @Override
        String target() {
            return mesh.aggregator;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            TopKeysResponse top = withDeadline(FeedbackQueryServiceGrpc.newBlockingStub(channel))
                    .topKeys(TopKeysRequest.newBuilder().setK(k).setRankBy(rankBy).setMinVotes(minVotes).build());
            if (json) {
                printJson(out, top);
                return;
            }
            MeshQueries.requireComplete(top.getServersList());
            keyTable(top.getKeysList()).print(out);
        }
    }

    // ------------------------------------------------------------------ eval-sampler

    @Command(name = "strata", mixinStandardHelpOptions = true,
            description = "Every stratum: seen, sampled by reason, realised vs target rate, budget left (eval-sampler ListStrata).")
    static final class Strata extends Call {

        @Option(names = "--feedback", description = "Also show what became of negative feedback (GetFeedbackStats).")
        boolean feedback;

        @Override
        String target() {
            return mesh.sampler;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            var stub = SamplerQueryServiceGrpc.newBlockingStub(channel);
            List<StratumStats> strata = MeshQueries.allStrata(stub, deadlineMillis(), page -> {
                if (json) {
                    printJson(out, page);
                }
            });
            if (!json) {
                strataTable(strata).print(out);
            }
            if (feedback) {
                GetFeedbackStatsResponse answer = withDeadline(stub).getFeedbackStats(GetFeedbackStatsRequest.getDefaultInstance());
                if (json) {
                    printJson(out, answer);
                    return;
                }
                MeshQueries.requireComplete(answer.getServersList());
                FeedbackStats f = answer.getStats();
                out.println();
                out.printf("negative feedback %d: boosted %d, not drawn %d, covered %d, already boosted %d, outside window %d, "
                                + "held %d, late %d, unmatched %d%n", f.getNegative(), f.getBoosted(), f.getNotDrawn(), f.getCovered(),
                        f.getAlreadyBoosted(), f.getOutsideWindow(), f.getHeld(), f.getLate(), f.getUnmatchedExpired());
            }
        }
    }

    static Table strataTable(List<StratumStats> strata) {
        Table table = new Table("STRATUM", "SEEN", "SAMPLED", "BASELINE", "SAFETY", "DRIFT", "NEG-FEEDBACK", "REALISED", "TARGET", "BUDGET-LEFT");
        strata.forEach(s -> table.row(s.getStratum(), s.getSeen(), s.getSampled(), reason(s, "BASELINE"), reason(s, "SAFETY"),
                reason(s, "DRIFT"), reason(s, "NEGATIVE_FEEDBACK"), percent(s.getRealisedRate()), percent(s.getTargetRate()),
                s.hasBudgetLeft() ? Long.toString(s.getBudgetLeft()) : "-"));
        return table;
    }

    static long reason(StratumStats stratum, String reason) {
        return stratum.getSampledByReasonOrDefault(reason, 0);
    }

    @Command(name = "sampling-policy", mixinStandardHelpOptions = true,
            description = "The sampling policy in force and the model keys under a drift alert (eval-sampler GetSamplingPolicy).")
    static final class SamplingPolicy extends Call {

        @Override
        String target() {
            return mesh.sampler;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            GetSamplingPolicyResponse policy = withDeadline(SamplerQueryServiceGrpc.newBlockingStub(channel))
                    .getSamplingPolicy(GetSamplingPolicyRequest.getDefaultInstance());
            if (json) {
                printJson(out, policy);
                return;
            }
            out.printf("period %s, epoch %s, boost window %s (+%s grace), salt %s, %d partitions%n", policy.getPeriod(), policy.getEpoch(),
                    policy.getBoostWindow(), policy.getBoostGrace(), policy.getSaltFingerprint(), policy.getPartitions());
            out.printf("rates: safety %s, drift %s, negative feedback %s; budget target %s%n", percent(policy.getSafetyRate()),
                    percent(policy.getDriftRate()), percent(policy.getNegativeFeedbackRate()), percent(policy.getBudgetTarget()));
            Table table = new Table("STRATUM", "BASE-RATE", "BUDGET/PERIOD");
            List<StratumPolicy> rows = new ArrayList<>(policy.getStrataList());
            rows.add(policy.getDefaultStratum().toBuilder().setStratum("(default)").build());
            rows.forEach(s -> table.row(s.getStratum(), percent(s.getBaseRate()), s.hasBudgetPerPeriod() ? Long.toString(s.getBudgetPerPeriod()) : "none"));
            table.print(out);
            out.println("model keys under a drift alert: " + (policy.getDriftingModelKeysCount() == 0 ? "none"
                    : String.join(", ", policy.getDriftingModelKeysList())));
        }
    }

    // ------------------------------------------------------------------ safety-filter

    @Command(name = "policy-set", mixinStandardHelpOptions = true,
            description = "The safety policies in force, switched off, or skipped and why (safety-filter GetPolicySet).")
    static final class PolicySet extends Call {

        @Override
        String target() {
            return mesh.safety;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            GetPolicySetResponse set = withDeadline(SafetyQueryServiceGrpc.newBlockingStub(channel)).getPolicySet(GetPolicySetRequest.getDefaultInstance());
            if (json) {
                printJson(out, set);
                return;
            }
            out.println("revision " + set.getRevision());
            Table table = new Table("POLICY", "STATE", "CATEGORY", "TARGET", "ACTION", "SEVERITY", "DETECTOR");
            set.getActiveList().forEach(p -> policyRow(table, p, "active"));
            set.getDisabledList().forEach(p -> policyRow(table, p, "disabled"));
            table.print(out);
            for (SkippedPolicy skipped : set.getSkippedList()) {
                out.printf("skipped %s (offset %d): %s%n", skipped.getPolicyId(), skipped.getOffset(), skipped.getReason());
            }
        }

        private static void policyRow(Table table, SafetyPolicy p, String state) {
            String detector = switch (p.getDetectorCase()) {
                case BUILTIN -> "builtin " + p.getBuiltin();
                case KEYWORDS -> p.getKeywords().getKeywordsCount() + " keywords";
                case REGEX -> "regex " + p.getRegex();
                case DETECTOR_NOT_SET -> "-";
            };
            table.row(p.getId(), state, p.getCategory(), p.getTarget(), p.getAction(), p.getSeverity(), detector);
        }
    }

    @Command(name = "risk", mixinStandardHelpOptions = true, description = "A user's findings per window and whether they escalated (safety-filter GetUserRisk).")
    static final class Risk extends Call {

        @Parameters(paramLabel = "USER", description = "The user id.")
        String user;

        @Override
        String target() {
            return mesh.safety;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            GetUserRiskResponse risk = withDeadline(SafetyQueryServiceGrpc.newBlockingStub(channel))
                    .getUserRisk(GetUserRiskRequest.newBuilder().setUserId(user).build());
            if (json) {
                printJson(out, risk);
                return;
            }
            ResponseMetadata meta = risk.getMetadata();
            out.printf("%s   served by %s (%s, partition %d)%n", risk.getUserId(), meta.getServedBy(), meta.getRole(), meta.getPartition());
            Table table = new Table("WINDOW", "UNTIL", "FINDINGS", "ESCALATED", "BY CATEGORY");
            for (RiskWindow w : risk.getWindowsList()) {
                table.row(time(w.getWindowStart()), time(w.getWindowEnd()), w.getFindingCount(), w.getEscalated() ? "yes" : "no",
                        new TreeMap<>(w.getFindingsByCategoryMap()));
            }
            if (table.isEmpty()) {
                out.println("no findings in the retained windows");
            } else {
                table.print(out);
            }
        }
    }

    @Command(name = "escalations", mixinStandardHelpOptions = true, description = "Users whose findings crossed the threshold, per window (safety-filter ListEscalations).")
    static final class Escalations extends Call {

        @Override
        String target() {
            return mesh.safety;
        }

        @Override
        void run(ManagedChannel channel, PrintWriter out) throws Exception {
            List<UserEscalation> escalations = MeshQueries.allEscalations(SafetyQueryServiceGrpc.newBlockingStub(channel), deadlineMillis(), page -> {
                if (json) {
                    printJson(out, page);
                }
            });
            if (json) {
                return;
            }
            Table table = new Table("USER", "WINDOW", "FINDINGS", "THRESHOLD", "BY CATEGORY");
            escalations.forEach(e -> table.row(e.getUserId(), time(e.getWindowStart()), e.getFindingCount(), e.getThreshold(),
                    new TreeMap<>(e.getFindingsByCategoryMap())));
            table.print(out);
        }
    }

    // ------------------------------------------------------------------ formatting

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String time(Timestamp timestamp) {
        return Timestamps.toString(timestamp);
    }

    private static String reports(FeedbackAggregate aggregate) {
        return Long.toString(aggregate.getReportsByReasonMap().values().stream().mapToLong(Long::longValue).sum());
    }
}
