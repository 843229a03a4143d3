package io.flywheel.verification.mesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The chaos driver: SIGKILLs a random instance at random moments and restarts it a few seconds
 * later (every service gets its share of the kills), SIGKILLs and restarts the broker once, stops
 * the schema registry for a while if asked, and at the end kills one instance of every service for
 * good.
 */
public final class Chaos implements Runnable {

    private final Mesh mesh;
    private final int kills;
    private final Duration duration;
    private final Random random;
    private final BooleanSupplier stopEarly;
    private final boolean brokerRestart;
    private final Duration registryOutage;
    private final long startNanos = System.nanoTime();
    private final List<String> timeline = new CopyOnWriteArrayList<>();
    private volatile int killsDone;
    private volatile int brokerRestarts;
    private volatile int registryOutages;
    private volatile Throwable failure;

    /**
     * @param duration  how long the workload is expected to take: the kills are spread over it
     * @param stopEarly true once the workload is sent: the remaining kills follow without waiting
     */
    public Chaos(Mesh mesh, int kills, Duration duration, long seed, BooleanSupplier stopEarly) {
        this(mesh, kills, duration, seed, stopEarly, true, Duration.ZERO);
    }

    /**
     * @param brokerRestart  whether to SIGKILL and restart the broker once
     * @param registryOutage how long to stop the schema registry, a quarter into the run (zero: never);
     *                       the outage lasts this long even when the workload is sent sooner
     */
    public Chaos(Mesh mesh, int kills, Duration duration, long seed, BooleanSupplier stopEarly, boolean brokerRestart,
                 Duration registryOutage) {
        this.mesh = mesh;
        this.kills = kills;
        this.duration = duration;
        this.random = new Random(seed);
        this.stopEarly = stopEarly;
        this.brokerRestart = brokerRestart;
        this.registryOutage = registryOutage;
    }

    public List<String> timeline() {
        return List.copyOf(timeline);
    }

    public int kills() {
        return killsDone;
    }

    public int brokerRestarts() {
        return brokerRestarts;
    }

    public int registryOutages() {
        return registryOutages;
    }

    public Throwable failure() {
        return failure;
    }

    private void log(String what) {
        String line = String.format("%7.1fs  %s", (System.nanoTime() - startNanos) / 1e9, what);
        timeline.add(line);
        System.out.println("[chaos] " + line);
    }

    @Override
    public void run() {
        try {
            long span = duration.toMillis();
            List<Long> at = new ArrayList<>();
            for (int i = 0; i < kills; i++) {
                at.add((long) (span * (0.05 + 0.85 * random.nextDouble())));
            }
            Collections.sort(at);
            long brokerAt = (long) (span * (0.35 + 0.3 * random.nextDouble()));
            List<String> targets = new ArrayList<>();
            for (int i = 0; i < kills; i++) {
                targets.add(Mesh.SERVICES.get(i % Mesh.SERVICES.size()));
            }
            Collections.shuffle(targets, random);
            if (!registryOutage.isZero()) {
                sleepUntil(span / 4);
                stopRegistryFor(registryOutage);
            }
            boolean brokerDone = !brokerRestart;
            for (int i = 0; i < kills; i++) {
                if (!brokerDone && brokerAt <= at.get(i)) {
                    sleepUntil(brokerAt);
                    restartBroker();
                    brokerDone = true;
                }
                sleepUntil(at.get(i));
                killAndRestart(targets.get(i));
            }
            if (!brokerDone) {
                sleepUntil(brokerAt);
                restartBroker();
            }
        } catch (Throwable e) {
            failure = e;
            log("chaos driver failed: " + e);
        }
    }

    private void sleepUntil(long offsetMs) throws InterruptedException {
        while (!stopEarly.getAsBoolean() && (System.nanoTime() - startNanos) / 1_000_000 < offsetMs) {
            Thread.sleep(100);
        }
    }

    private void killAndRestart(String service) throws Exception {
        List<Mesh.Instance> alive = mesh.instances().stream().filter(i -> i.service().equals(service) && i.process().alive()).toList();
        if (alive.isEmpty()) {
            log("no live instance of " + service + " to kill");
            return;
        }
        // Prefer a member that is running (ready) over one still starting from an earlier kill.
        List<Mesh.Instance> ready = alive.stream().filter(mesh::isReady).toList();
        List<Mesh.Instance> candidates = ready.isEmpty() ? alive : ready;
        Mesh.Instance victim = candidates.get(random.nextInt(candidates.size()));
        long pid = victim.process().pid();
        victim.process().kill();
        killsDone++;
        log("SIGKILL " + victim.label() + " (pid " + pid + (ready.contains(victim) ? ", running" : ", still starting") + ")");
        Thread.sleep(1000 + random.nextInt(4000));
        victim.process().start();
        log("restarted " + victim.label() + " (pid " + victim.process().pid() + ")");
    }

    private void stopRegistryFor(Duration outage) throws Exception {
        mesh.stopRegistry();
        log("registry stopped for " + outage.toSeconds() + " s");
        Thread.sleep(outage.toMillis());
        mesh.startRegistry(Duration.ofMinutes(3));
        registryOutages++;
        log("registry restarted and ready");
    }

    private void restartBroker() throws Exception {
        mesh.broker().kill();
        log("SIGKILL broker");
        Thread.sleep(2000);
        mesh.broker().start();
        mesh.awaitBroker(Duration.ofMinutes(6));
        brokerRestarts++;
        log("broker restarted and listening");
    }

    /** Kills one instance of every service for good: the survivors must finish the work alone. */
    public List<Mesh.Instance> killOneOfEachForGood(Supervisor supervisor) throws InterruptedException {
        List<Mesh.Instance> killed = new ArrayList<>();
        for (String service : Mesh.SERVICES) {
            List<Mesh.Instance> alive = mesh.instances().stream().filter(i -> i.service().equals(service) && i.process().alive()).toList();
            if (alive.size() < 2) {
                continue;
            }
            Mesh.Instance victim = alive.get(random.nextInt(alive.size()));
            supervisor.retire(victim);
            victim.process().kill();
            killsDone++;
            killed.add(victim);
            log("SIGKILL " + victim.label() + " for good");
        }
        return killed;
    }
}
