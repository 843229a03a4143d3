package io.flywheel.runtime.query;

import io.flywheel.query.v1.ServerOutcome;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Every instance's part of a fan-out over one store: the answers of those that answered, the
 * store partitions each answered for, and each one's outcome.
 */
public final class Shares<R> {

    /** One server's part: its answer and the partitions it covers, or why it has none. */
    public record Share<R>(String server, Optional<R> answer, Set<Integer> partitions, Optional<Status> failure) {

        public static <R> Share<R> answered(String server, R answer, Set<Integer> partitions) {
            return new Share<>(server, Optional.of(answer), Set.copyOf(partitions), Optional.empty());
        }

        public static <R> Share<R> failed(String server, Status failure) {
            return new Share<>(server, Optional.empty(), Set.of(), Optional.of(failure));
        }

        public ServerOutcome outcome() {
            ServerOutcome.Builder outcome = ServerOutcome.newBuilder().setServer(server).setOk(answer.isPresent())
                    .addAllPartitions(new TreeSet<>(partitions));
            failure.ifPresent(status -> outcome.setError(status.getCode() + ": " + status.getDescription()));
            return outcome.build();
        }
    }

    private final List<Share<R>> shares;
    private final int partitions;
    private final Duration retryAfter;

    /** @param partitions how many partitions the store has: a complete answer covers each once */
    public Shares(List<Share<R>> shares, int partitions, Duration retryAfter) {
        this.shares = List.copyOf(shares);
        this.partitions = partitions;
        this.retryAfter = retryAfter;
    }

    public List<ServerOutcome> outcomes() {
        return shares.stream().map(Share::outcome).toList();
    }

    /** True when the answers cover every partition of the store (exactly once, see {@link #requireCoherent}). */
    public boolean complete() {
        return missing().isEmpty();
    }

    /** Partitions of the store no answer covers. */
    public SortedSet<Integer> missing() {
        SortedSet<Integer> missing = new TreeSet<>();
        for (int partition = 0; partition < partitions; partition++) {
            missing.add(partition);
        }
        shares.forEach(share -> missing.removeAll(share.partitions()));
        return missing;
    }

    /**
     * Fails with UNAVAILABLE (and a retry hint) when the shares cannot be merged into a truthful
     * answer: a partition answered twice (it moved between two instances while they were asked),
     * or a partition nobody answered although every server did (taken over and still restoring,
     * or not assigned yet), which would otherwise be a short total that looks complete. A gap
     * left by a server that failed stays visible in the outcomes instead.
     */
    public void requireCoherent(String store) {
        Map<Integer, List<String>> answeredBy = new TreeMap<>();
        shares.forEach(share -> share.partitions().forEach(partition ->
                answeredBy.computeIfAbsent(partition, p -> new ArrayList<>()).add(share.server())));
        answeredBy.values().removeIf(servers -> servers.size() < 2);
        if (!answeredBy.isEmpty()) {
            throw QueryErrors.unavailable("partitions of " + store + " were answered by two instances while moving between them: "
                    + answeredBy, retryAfter);
        }
        boolean everyServerAnswered = shares.stream().allMatch(share -> share.answer().isPresent());
        if (everyServerAnswered && !complete()) {
            throw QueryErrors.unavailable("partitions " + missing() + " of " + store + " (of " + partitions
                    + ") cannot answer on any instance yet: taken over and restoring, or not assigned", retryAfter);
        }
    }

    public List<R> answers() {
        return shares.stream().flatMap(share -> share.answer().stream()).toList();
    }

    /** The entries of every answer, in server order. */
    public <T> List<T> entries(Function<R, ? extends Collection<T>> entriesOf) {
        List<T> entries = new ArrayList<>();
        answers().forEach(answer -> entries.addAll(entriesOf.apply(answer)));
        return entries;
    }

    /** Sums one part of every answer. */
    public <A> A fold(A identity, Function<R, A> part, BinaryOperator<A> sum) {
        return answers().stream().map(part).reduce(identity, sum);
    }

    /**
     * Fails unless some answer found the thing asked for: NOT_FOUND when the answers cover every
     * partition, UNAVAILABLE (naming who did not answer) when a missing server might hold it.
     */
    public void requireFound(Predicate<R> found, String subject, String notFoundMessage) {
        if (answers().stream().anyMatch(found)) {
            return;
        }
        if (!complete()) {
            String silent = shares.stream().filter(share -> share.answer().isEmpty())
                    .map(share -> share.server() + " (" + share.outcome().getError() + ")").collect(Collectors.joining(", "));
            throw QueryErrors.unavailable(subject + " was not found on the instances that answered, and " + silent
                    + " did not answer", retryAfter);
        }
        throw QueryErrors.notFound(notFoundMessage);
    }

    /** The first {@code k} entries in {@code order}. */
    public static <T> List<T> best(Collection<T> entries, Comparator<? super T> order, int k) {
        return entries.stream().sorted(order).limit(k).toList();
    }
}
