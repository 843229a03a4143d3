package io.flywheel.verification.mesh;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a container platform does with a failed instance: an instance whose liveness check answers
 * DOWN (Kafka Streams in ERROR) for 10 s is killed and started again. Instances killed for good
 * stay down. Every such restart is recorded: the mesh needed the platform to recover.
 */
public final class Supervisor implements Runnable {

    private static final long DOWN_BEFORE_RESTART_MS = 10_000;

    private final Mesh mesh;
    private final Set<String> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Long> downSince = new HashMap<>();
    private final List<String> restarts = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;

    public Supervisor(Mesh mesh) {
        this.mesh = mesh;
    }

    /** An instance killed for good: never restarted. */
    public void retire(Mesh.Instance instance) {
        retired.add(instance.label());
    }

    public List<String> restarts() {
        return List.copyOf(restarts);
    }

    public void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            for (Mesh.Instance instance : mesh.instances()) {
                if (retired.contains(instance.label()) || !instance.process().alive()) {
                    downSince.remove(instance.label());
                    continue;
                }
                if (mesh.liveness(instance) == 503) {
                    long since = downSince.computeIfAbsent(instance.label(), l -> System.currentTimeMillis());
                    if (System.currentTimeMillis() - since >= DOWN_BEFORE_RESTART_MS && !retired.contains(instance.label())) {
                        restart(instance);
                        downSince.remove(instance.label());
                    }
                } else {
                    downSince.remove(instance.label());
                }
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void restart(Mesh.Instance instance) {
        try {
            instance.process().kill();
            instance.process().start();
            String line = String.format("%7.1fs  %s liveness DOWN (Kafka Streams ERROR) for 10 s: restarted", (System.nanoTime() - startNanos) / 1e9,
                    instance.label());
            restarts.add(line);
            System.out.println("[supervisor] " + line);
        } catch (Exception e) {
            restarts.add("could not restart " + instance.label() + ": " + e);
        }
    }

}
