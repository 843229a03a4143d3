package io.flywheel.model;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The registry client with a bound on every call. Apicurio's HTTP client has no request timeout:
 * a request whose answer never comes (seen on a reused connection, the registry idle) blocks the
 * calling thread for as long as the connection stays open, and a stream thread waiting there stops
 * its service. Each call runs on a helper thread; the caller waits at most {@code timeout}, then
 * gets a {@link RegistryCallTimeoutException} (a {@link TimeoutException} in its causes: the
 * failure counts as the registry being unavailable, so the record is retried, never dead-lettered).
 * Calls are rare (a schema's first use), so the thread hop costs nothing on the hot path.
 */
final class BoundedRegistryClient implements RegistryClientFacade {

    private static final Logger LOG = Logger.getLogger(BoundedRegistryClient.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(call -> {
        Thread thread = new Thread(call, "flywheel-registry-call-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final RegistryClientFacade client;
    private final Duration timeout;

    BoundedRegistryClient(RegistryClientFacade client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** A call that did not answer within the bound. */
    static final class RegistryCallTimeoutException extends RuntimeException {
        RegistryCallTimeoutException(String call, Duration timeout, TimeoutException cause) {
            super("schema registry call " + call + " did not answer within " + timeout.toMillis() + " ms", cause);
        }
    }

    private <T> T bounded(String call, Callable<T> work) {
        Future<T> answer = CALLS.submit(work);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // The helper thread may stay blocked in the HTTP client; cancelling interrupts what can be interrupted.
            answer.cancel(true);
            LOG.warning("schema registry call " + call + " did not answer within " + timeout.toMillis() + " ms");
            throw new RegistryCallTimeoutException(call, timeout, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the schema registry", e);
        }
    }

    @Override
    public String getSchemaByContentId(Long contentId) {
        return bounded("getSchemaByContentId", () -> client.getSchemaByContentId(contentId));
    }

    @Override
    public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
        return bounded("getSchemaByGlobalId", () -> client.getSchemaByGlobalId(globalId, dereferenced));
    }

    @Override
    public String getSchemaByGAV(String groupId, String artifactId, String version) {
        return bounded("getSchemaByGAV", () -> client.getSchemaByGAV(groupId, artifactId, version));
    }

    @Override
    public String getSchemaByContentHash(String contentHash) {
        return bounded("getSchemaByContentHash", () -> client.getSchemaByContentHash(contentHash));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
        return bounded("getReferencesByContentId", () -> client.getReferencesByContentId(contentId));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
        return bounded("getReferencesByGlobalId", () -> client.getReferencesByGlobalId(globalId));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
        return bounded("getReferencesByGAV", () -> client.getReferencesByGAV(groupId, artifactId, version));
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
        return bounded("getReferencesByContentHash", () -> client.getReferencesByContentHash(contentHash));
    }

    @Override
    public List<RegistryVersionCoordinates> searchVersionsByContent(String schema, String artifactType,
                                                                    ArtifactReference reference, boolean canonical) {
        return bounded("searchVersionsByContent", () -> client.searchVersionsByContent(schema, artifactType, reference, canonical));
    }

    @Override
    public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId, String version,
                                                   String ifExists, boolean canonical, String schema,
                                                   Set<RegistryArtifactReference> references) {
        return bounded("createSchema", () -> client.createSchema(artifactType, groupId, artifactId, version, ifExists,
                canonical, schema, references));
    }

    @Override
    public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
        return bounded("getVersionCoordinatesByGAV", () -> client.getVersionCoordinatesByGAV(groupId, artifactId, version));
    }

    @Override
    public Object getClient() {
        return client.getClient();
    }
}
