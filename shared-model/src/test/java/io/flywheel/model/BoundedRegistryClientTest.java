package io.flywheel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BoundedRegistryClientTest {

    @Test
    void anAnswerWithinTheBoundPassesThrough() {
        var client = new BoundedRegistryClient(new Registry(() -> "syntax = \"proto3\";"), Duration.ofSeconds(5));
        assertEquals("syntax = \"proto3\";", client.getSchemaByContentId(3L));
    }

    @Test
    @Timeout(10) // unbounded, the call would never return: fail instead of hanging the build
    void aCallThatNeverAnswersFailsAfterTheBoundAsATimeout() {
        var client = neverAnswering();
        long started = System.nanoTime();
        var failure = assertThrows(BoundedRegistryClient.RegistryCallTimeoutException.class, () -> client.getSchemaByGAV("default", "a.proto", "1"));
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waitedMillis >= 200, "waited " + waitedMillis + " ms");
        // What the services' decode step counts as the registry being unavailable: retried, never dead-lettered.
        assertInstanceOf(TimeoutException.class, failure.getCause());
        assertTrue(failure.getMessage().contains("getSchemaByGAV"), failure.getMessage());
    }

    @Test
    void theClientsOwnFailureReachesTheCallerUnchanged() {
        IllegalStateException refused = new IllegalStateException("503");
        var client = new BoundedRegistryClient(new Registry(() -> {
            throw refused;
        }), Duration.ofSeconds(5));
        assertSame(refused, assertThrows(IllegalStateException.class, () -> client.getSchemaByContentId(3L)));
    }

    @Test
    @Timeout(10)
    void registeringASchemaIsBoundedToo() {
        // An output's serializer registers its schema on first use: the same hang would stop a write.
        var hanging = neverAnswering();
        assertThrows(BoundedRegistryClient.RegistryCallTimeoutException.class,
                () -> hanging.createSchema("PROTOBUF", "default", "a.proto", null, "FIND_OR_CREATE_VERSION", false, "syntax", Set.of()));
        var answering = new BoundedRegistryClient(new Registry(() -> "syntax"), Duration.ofSeconds(5));
        assertEquals(3L, answering.createSchema("PROTOBUF", "default", "a.proto", null, "FIND_OR_CREATE_VERSION", false, "syntax", Set.of())
                .getContentId());
    }

    /** A client bounded at 200 ms in front of a registry whose calls never return. */
    private static BoundedRegistryClient neverAnswering() {
        CountDownLatch never = new CountDownLatch(1);
        return new BoundedRegistryClient(new Registry(() -> {
            never.await();
            return "unreachable";
        }), Duration.ofMillis(200));
    }

    /** A registry whose every call waits for, and fails with, what {@code schema} does; answers are fixed. */
    private record Registry(java.util.concurrent.Callable<String> schema) implements RegistryClientFacade {
        private String answer() {
            try {
                return schema.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private RegistryVersionCoordinates coordinates(String groupId, String artifactId) {
            answer();
            return RegistryVersionCoordinates.create(7L, 3L, groupId, artifactId, "1");
        }

        private List<RegistryArtifactReference> noReferences() {
            answer();
            return List.of();
        }

        @Override public String getSchemaByContentId(Long contentId) { return answer(); }
        @Override public String getSchemaByGlobalId(long globalId, boolean dereferenced) { return answer(); }
        @Override public String getSchemaByGAV(String groupId, String artifactId, String version) { return answer(); }
        @Override public String getSchemaByContentHash(String contentHash) { return answer(); }
        @Override public List<RegistryArtifactReference> getReferencesByContentId(long contentId) { return noReferences(); }
        @Override public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) { return noReferences(); }
        @Override public List<RegistryArtifactReference> getReferencesByGAV(String g, String a, String v) { return noReferences(); }
        @Override public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) { return noReferences(); }
        @Override public List<RegistryVersionCoordinates> searchVersionsByContent(String s, String t, ArtifactReference r, boolean c) {
            return List.of(coordinates(r.getGroupId(), r.getArtifactId()));
        }
        @Override public RegistryVersionCoordinates createSchema(String t, String g, String a, String v, String i, boolean c, String s,
                                                                 Set<RegistryArtifactReference> r) { return coordinates(g, a); }
        @Override public RegistryVersionCoordinates getVersionCoordinatesByGAV(String g, String a, String v) { return coordinates(g, a); }
        @Override public Object getClient() { return this; }
    }
}
