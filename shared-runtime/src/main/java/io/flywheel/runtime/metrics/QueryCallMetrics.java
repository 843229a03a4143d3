package io.flywheel.runtime.metrics;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.flywheel.query.v1.ResponseMetadata;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts query calls by method, outcome (the gRPC status code) and role, and records the lag each
 * answer declared, read from the {@link ResponseMetadata} the answer carries, so no query service
 * has to count for itself:
 *
 * <ul>
 *   <li>{@code flywheel_query_calls_total{method,outcome,role}}: role is {@code active} or
 *       {@code standby} (the answering store), {@code forwarded} (another instance answered), or
 *       {@code none} (an error, or an answer spanning partitions)</li>
 *   <li>{@code flywheel_query_declared_lag_records{role}}: {@code lag_records} of each answer</li>
 * </ul>
 * Health and reflection calls are not counted.
 */
@GlobalInterceptor
@ApplicationScoped
public class QueryCallMetrics implements ServerInterceptor {

    private static final Map<Descriptor, Optional<FieldDescriptor>> METADATA_FIELDS = new ConcurrentHashMap<>();

    private final MeterRegistry registry;

    public QueryCallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (service == null || service.startsWith("grpc.")) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName().substring(service.lastIndexOf('.') + 1);
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private String role = "none";

            @Override
            public void sendMessage(R message) {
                if (role.equals("none")) {
                    metadataOf(message).ifPresent(metadata -> {
                        role = roleOf(metadata);
                        DistributionSummary.builder("flywheel.query.declared.lag").baseUnit("records")
                                .description("how many records the answering store declared it may be behind")
                                .tag("role", role).register(registry).record(metadata.getLagRecords());
                    });
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                Counter.builder("flywheel.query.calls").description("query calls by method, outcome and role")
                        .tag("method", method).tag("outcome", status.getCode().name()).tag("role", role)
                        .register(registry).increment();
                super.close(status, trailers);
            }
        }, headers);
    }

    static String roleOf(ResponseMetadata metadata) {
        if (!metadata.getReceivedBy().isEmpty() && !metadata.getReceivedBy().equals(metadata.getServedBy())) {
            return "forwarded";
        }
        return switch (metadata.getRole()) {
            case ACTIVE -> "active";
            case STANDBY -> "standby";
            default -> "none";
        };
    }

    private static Optional<ResponseMetadata> metadataOf(Object message) {
        if (!(message instanceof Message answer)) {
            return Optional.empty();
        }
        return METADATA_FIELDS.computeIfAbsent(answer.getDescriptorForType(), QueryCallMetrics::metadataField)
                .filter(answer::hasField)
                .map(field -> (ResponseMetadata) answer.getField(field));
    }

    private static Optional<FieldDescriptor> metadataField(Descriptor type) {
        return type.getFields().stream()
                .filter(field -> field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                        && field.getMessageType().equals(ResponseMetadata.getDescriptor()))
                .findFirst();
    }
}
