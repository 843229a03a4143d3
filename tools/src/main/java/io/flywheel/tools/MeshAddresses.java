package io.flywheel.tools;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where the three services answer gRPC queries (any instance of each will do: it forwards or fans
 * out), defaulting to the local stack's ports and their environment variables, and the bearer
 * token the services may require.
 */
final class MeshAddresses {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Option(names = "--aggregator", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:${env:FLYWHEEL_AGGREGATOR_PORT:-18090}",
            description = "A feedback-aggregator instance (default: ${DEFAULT-VALUE}).")
    String aggregator;

    @Option(names = "--safety", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:${env:FLYWHEEL_SAFETY_PORT:-18091}",
            description = "A safety-filter instance (default: ${DEFAULT-VALUE}).")
    String safety;

    @Option(names = "--sampler", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:${env:FLYWHEEL_SAMPLER_PORT:-18092}",
            description = "An eval-sampler instance (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FLYWHEEL_QUERY_AUTH_TOKEN}",
            description = "Bearer token, when the services set flywheel.query.auth-token (default: $FLYWHEEL_QUERY_AUTH_TOKEN).")
    String token;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10s",
            description = "Deadline of each call, e.g. 2s, 500ms (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    /** A plaintext channel to {@code host:port}, sending the bearer token on every call when one is set. */
    ManagedChannel open(String target) {
        int colon = target.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + target + "' is not HOST:PORT");
        }
        if (colon <= 0 || port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'" + target + "' is not HOST:PORT");
        }
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(target.substring(0, colon), port).usePlaintext();
        if (token != null && !token.isBlank()) {
            builder.intercept(new BearerToken(token));
        }
        return builder.build();
    }

    private record BearerToken(String token) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                    super.start(listener, headers);
                }
            };
        }
    }
}
