package io.flywheel.verification.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One process of the mesh: started, hard-killed (SIGKILL) and restarted with the same command. */
public final class MeshProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workDir;
    private final Path log;
    private Process process;
    private int starts;
    private long startedNanos;

    public MeshProcess(String name, List<String> command, Map<String, String> environment, Path workDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workDir = workDir;
        this.log = workDir.resolve(name + ".log");
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Files.createDirectories(workDir);
        Files.writeString(log, "==== start " + (++starts) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        startedNanos = System.nanoTime();
        process = builder.start();
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@link System#nanoTime()} just before the latest spawn. */
    public synchronized long startedNanos() {
        return startedNanos;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** CPU time the process has used so far, all its threads (0 when unknown or not started). */
    public synchronized long cpuNanos() {
        return process == null ? 0 : process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** SIGKILL: no shutdown hook, no clean close of anything. */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    public synchronized void stop(long graceSeconds) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs to completion (a one-shot command such as formatting storage or creating topics). */
    public int runToCompletion(long timeoutSeconds) throws IOException, InterruptedException {
        start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            kill();
            throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s; see " + log);
        }
        return process.exitValue();
    }
}
