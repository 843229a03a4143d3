package io.flywheel.safety.topology;

import io.flywheel.runtime.state.ExpiryIndex;

/**
 * Key of one user's window in the risk and escalation stores: user_id, a NUL, the window start
 * as 19 zero-padded digits. One user's windows are adjacent and in time order, so a point query
 * reads them with one range over the user's partition, and keyset pages run user by user.
 * User ids hold no control characters (the validator rejects them), so no id is a prefix of
 * another's keys.
 */
public final class UserWindowKey {

    private UserWindowKey() {
    }

    public static String of(String userId, long windowStartMs) {
        return userId + '\u0000' + ExpiryIndex.pad(windowStartMs);
    }

    /** Lowest possible key of the user's windows. */
    public static String first(String userId) {
        return userId + '\u0000';
    }

    /** Above every key of the user's windows, below every other user's. */
    public static String last(String userId) {
        return userId + '\u0001';
    }
}
