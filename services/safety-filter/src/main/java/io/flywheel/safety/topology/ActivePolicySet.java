package io.flywheel.safety.topology;

import io.flywheel.safety.rules.PolicySet;
import java.util.Objects;

/**
 * The policy set in force on this instance. One per topology instance (never a static): the
 * global store processor installs each new set, the screening processors and the query service
 * read it. Sets are immutable, so a reader sees either the old set or the new one, whole.
 */
public final class ActivePolicySet {

    private volatile PolicySet current;

    /** The set in force; the default pack's until the global store has been read. */
    public PolicySet get() {
        PolicySet set = current;
        if (set == null) {
            throw new IllegalStateException("no policy set installed: the topology has not been built");
        }
        return set;
    }

    void install(PolicySet next) {
        current = Objects.requireNonNull(next, "next");
    }
}
