package io.flywheel.runtime.query;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * What a query call carries beyond its request: the caller's credentials (passed on when
 * forwarding) and, on calls between instances, the scope the receiver must answer in.
 */
public final class CallerContext {

    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** Set on calls between instances; see {@link Scope}. */
    public static final Metadata.Key<String> SCOPE =
            Metadata.Key.of("x-flywheel-scope", Metadata.ASCII_STRING_MARSHALLER);
    /** With scope STANDBY: the caller's maximum acceptable lag in records. */
    public static final Metadata.Key<String> MAX_LAG =
            Metadata.Key.of("x-flywheel-max-lag", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Trailer of a LOCAL_PARTITIONS answer: the store partitions it answered for, comma-separated,
     * so the caller can tell a complete fan-out from one that misses a partition.
     */
    public static final Metadata.Key<String> PARTITIONS =
            Metadata.Key.of("x-flywheel-partitions", Metadata.ASCII_STRING_MARSHALLER);

    static final Context.Key<String> AUTHORIZATION_KEY = Context.key("flywheel-authorization");
    static final Context.Key<Scope> SCOPE_KEY = Context.key("flywheel-scope");
    static final Context.Key<Long> MAX_LAG_KEY = Context.key("flywheel-max-lag");
    /** Where a LOCAL_PARTITIONS answer notes its partitions for the {@link #PARTITIONS} trailer. */
    static final Context.Key<AtomicReference<Set<Integer>>> ANSWERED_KEY = Context.key("flywheel-answered-partitions");

    /** How a call between instances must be answered. */
    public enum Scope {
        /** A client's call: route and fan out as needed. */
        CLIENT,
        /** Forwarded to the key's active owner: answer locally or fail, never forward again. */
        ACTIVE,
        /** Forwarded to a standby: answer from a local copy within the lag bound, or fail. */
        STANDBY,
        /** Part of a fan-out: answer for this instance's active partitions only. */
        LOCAL_PARTITIONS
    }

    private CallerContext() {
    }

    public static Scope scope() {
        Scope scope = SCOPE_KEY.get();
        return scope == null ? Scope.CLIENT : scope;
    }

    public static Optional<String> authorization() {
        return Optional.ofNullable(AUTHORIZATION_KEY.get());
    }

    public static OptionalLong standbyMaxLag() {
        Long lag = MAX_LAG_KEY.get();
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    /**
     * The deadline of a call to another instance: the caller's, capped by {@code limit} (the
     * whole limit when the caller set none).
     */
    public static Deadline deadline(Duration limit) {
        Deadline capped = Deadline.after(limit.toMillis(), TimeUnit.MILLISECONDS);
        Deadline caller = Context.current().getDeadline();
        return caller == null ? capped : caller.minimum(capped);
    }

    /** Notes the partitions this call's share answered for; sent back in the {@link #PARTITIONS} trailer. */
    static void answeredPartitions(Set<Integer> partitions) {
        AtomicReference<Set<Integer>> answered = ANSWERED_KEY.get();
        if (answered != null) {
            answered.set(Set.copyOf(partitions));
        }
    }

    static String encodePartitions(Collection<Integer> partitions) {
        return new TreeSet<>(partitions).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** The partitions a trailer names; none when it is absent or garbled (nothing is assumed covered). */
    static Set<Integer> decodePartitions(String trailer) {
        if (trailer == null || trailer.isBlank()) {
            return Set.of();
        }
        try {
            return Arrays.stream(trailer.split(",")).map(String::trim).map(Integer::valueOf).collect(Collectors.toUnmodifiableSet());
        } catch (NumberFormatException e) {
            return Set.of();
        }
    }

    /** Headers of a call to another instance: the caller's credentials and the scope to answer in. */
    public static Metadata forwardHeaders(Scope scope, Optional<String> authorization, OptionalLong maxLag) {
        Metadata headers = new Metadata();
        headers.put(SCOPE, scope.name());
        authorization.ifPresent(value -> headers.put(AUTHORIZATION, value));
        maxLag.ifPresent(lag -> headers.put(MAX_LAG, Long.toString(lag)));
        return headers;
    }
}
