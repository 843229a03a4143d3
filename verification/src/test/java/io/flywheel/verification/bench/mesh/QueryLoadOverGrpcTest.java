package io.flywheel.verification.bench.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Both loads against a real gRPC server (the standard health service on a free port), as the bench calls the services. */
class QueryLoadOverGrpcTest {

    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new HealthStatusManager().getHealthService()).build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void closedLoopCountsAnsweredCalls() throws InterruptedException {
        var stub = HealthGrpc.newBlockingStub(channel);
        // Connected before the run, as the bench's channels are: only calls ending inside the window count.
        stub.check(HealthCheckRequest.getDefaultInstance());
        QueryLoad.Throughput throughput = QueryLoad.closedLoop(
                () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()),
                4, Duration.ZERO, Duration.ofSeconds(2));
        assertTrue(throughput.perSecond() > 0, "calls were answered: " + throughput);
        assertEquals(0, throughput.failures());
    }

    @Test
    void openLoopTimesEveryScheduledCall() throws InterruptedException {
        var stub = HealthGrpc.newStub(channel);
        QueryLoad.Latency latency = QueryLoad.<HealthCheckResponse>openLoop(
                observer -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance(), observer),
                new Schedule(200), Duration.ofMillis(500), Duration.ofSeconds(5));
        assertEquals(100, latency.latencies().count());
        assertEquals(0, latency.failures());
    }

    @Test
    void aFailingCallIsCountedNotTimed() throws InterruptedException {
        var stub = HealthGrpc.newStub(channel);
        // The health service answers NOT_FOUND for a service it does not know.
        QueryLoad.Latency latency = QueryLoad.<HealthCheckResponse>openLoop(
                observer -> stub.check(HealthCheckRequest.newBuilder().setService("unknown").build(), observer),
                new Schedule(100), Duration.ofMillis(100), Duration.ofSeconds(5));
        assertEquals(10, latency.failures());
        assertEquals(0, latency.latencies().count());
    }
}
