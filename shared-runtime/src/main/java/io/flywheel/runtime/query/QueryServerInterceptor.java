package io.flywheel.runtime.query;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks the optional bearer token and records the caller's credentials and call scope in the
 * gRPC context, so forwarding can pass them on. Health and reflection stay open.
 */
@GlobalInterceptor
@ApplicationScoped
public class QueryServerInterceptor implements ServerInterceptor {

    private final QueryConfig config;

    public QueryServerInterceptor(QueryConfig config) {
        this.config = config;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        boolean open = service != null && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."));
        String authorization = headers.get(CallerContext.AUTHORIZATION);
        if (!open && config.authToken().isPresent() && !tokenMatches(authorization, config.authToken().get())) {
            call.close(Status.UNAUTHENTICATED.withDescription(
                    "missing or wrong bearer token: send the header 'authorization: Bearer <token>'"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        Context context = Context.current().withValue(CallerContext.AUTHORIZATION_KEY, authorization);
        String scope = headers.get(CallerContext.SCOPE);
        if (scope != null) {
            try {
                context = context.withValue(CallerContext.SCOPE_KEY, CallerContext.Scope.valueOf(scope));
            } catch (IllegalArgumentException e) {
                call.close(Status.INVALID_ARGUMENT.withDescription("unknown x-flywheel-scope: " + scope), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
        if (CallerContext.Scope.LOCAL_PARTITIONS.name().equals(scope)) {
            AtomicReference<Set<Integer>> answered = new AtomicReference<>();
            context = context.withValue(CallerContext.ANSWERED_KEY, answered);
            call = withPartitionsTrailer(call, answered);
        }
        String maxLag = headers.get(CallerContext.MAX_LAG);
        if (maxLag != null) {
            try {
                context = context.withValue(CallerContext.MAX_LAG_KEY, Long.parseLong(maxLag));
            } catch (NumberFormatException e) {
                call.close(Status.INVALID_ARGUMENT.withDescription("x-flywheel-max-lag is not a number: " + maxLag), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** A fan-out share's answer carries the partitions it answered for. */
    private static <Q, R> ServerCall<Q, R> withPartitionsTrailer(ServerCall<Q, R> call, AtomicReference<Set<Integer>> answered) {
        return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                Set<Integer> partitions = answered.get();
                if (partitions != null) {
                    trailers.put(CallerContext.PARTITIONS, CallerContext.encodePartitions(partitions));
                }
                super.close(status, trailers);
            }
        };
    }

    private static boolean tokenMatches(String authorization, String token) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }
}
