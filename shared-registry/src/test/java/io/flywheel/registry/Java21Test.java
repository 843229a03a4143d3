package io.flywheel.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Java21Test {

    @TempDir
    Path jvms;

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
        assertEquals(Optional.of(21), Java21.featureVersion(fakeJdk("jdk-21", "JAVA_VERSION=\"21.0.5\"", true)));
        assertEquals(Optional.of(17), Java21.featureVersion(fakeJdk("jdk-17", "JAVA_VERSION=\"17.0.13\"", true)));
        assertEquals(Optional.of(8), Java21.featureVersion(fakeJdk("jdk-8", "JAVA_VERSION=\"1.8.0_412\"", true)));
        assertEquals(Optional.of(25), Java21.featureVersion(fakeJdk("jdk-25", "IMPLEMENTOR=x\nJAVA_VERSION=25", true)));
    }

    @Test
    void aHomeWithoutARunnableJavaOrAVersionIsNoRuntime() throws IOException {
        assertEquals(Optional.empty(), Java21.featureVersion(fakeJdk("no-exec", "JAVA_VERSION=\"21\"", false)));
        assertEquals(Optional.empty(), Java21.featureVersion(fakeJdk("no-version", "IMPLEMENTOR=x", true)));
        assertEquals(Optional.empty(), Java21.featureVersion(jvms.resolve("missing")));
    }

    @Test
    void thisJvmIsFoundWhenItIsTwentyOneOrNewer() {
        // The running JVM is a real one: its own home must read as its own feature version.
        assertEquals(Optional.of(Runtime.version().feature()), Java21.featureVersion(Path.of(System.getProperty("java.home"))));
    }

    @Test
    void theDistributionVersionComesFromTheBuild() {
        assertTrue(RegistryDistribution.version().matches("\\d+\\.\\d+\\.\\d+.*"), RegistryDistribution.version());
    }

    private Path fakeJdk(String name, String release, boolean executable) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name).resolve("bin")).getParent();
        Files.writeString(home.resolve("release"), release + "\n");
        Path java = Files.writeString(home.resolve("bin").resolve("java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        return home;
    }
}
