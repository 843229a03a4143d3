package io.flywheel.runtime.query;

import io.flywheel.query.v1.ServerOutcome;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Every instance's part of a fan-out: the answers of those that answered, and each one's outcome. */
public final class Shares<R> {

    /** One server's part: its answer, or why it has none. */
    public record Share<R>(String server, Optional<R> answer, Optional<Status> failure) {

        public static <R> Share<R> answered(String server, R answer) {
            return new Share<>(server, Optional.of(answer), Optional.empty());
        }

        public static <R> Share<R> failed(String server, Status failure) {
            return new Share<>(server, Optional.empty(), Optional.of(failure));
        }

        public ServerOutcome outcome() {
            ServerOutcome.Builder outcome = ServerOutcome.newBuilder().setServer(server).setOk(answer.isPresent());
            failure.ifPresent(status -> outcome.setError(status.getCode() + ": " + status.getDescription()));
            return outcome.build();
        }
    }

    private final List<Share<R>> shares;
    private final Duration retryAfter;

    public Shares(List<Share<R>> shares, Duration retryAfter) {
        this.shares = List.copyOf(shares);
        this.retryAfter = retryAfter;
    }

    public List<ServerOutcome> outcomes() {
        return shares.stream().map(Share::outcome).toList();
    }

    /** True when every server answered. */
    public boolean complete() {
        return shares.stream().allMatch(share -> share.answer().isPresent());
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
     * Fails unless some answer found the thing asked for: NOT_FOUND when every server answered,
     * UNAVAILABLE (naming who did not answer) when a missing server might hold it.
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
