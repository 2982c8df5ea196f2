package io.etcdj.server.node;

/**
 * When the lessor follows leadership: a new leader's lessor is promoted only once the leader has applied its own
 * term's first entry (so it knows every lease granted before), and demoted as soon as it stops leading. The driver
 * reports role changes, the apply thread reports progress; both go through this object's monitor, so a promotion
 * can never land after the demotion that should cancel it.
 */
final class LeaderPromotion {
    private final MemberHooks hooks;
    /** Guarded by this: the index of the new leader's first entry, to promote once applied; 0 = none pending. */
    private long promoteAtIndex;
    /** Guarded by this. */
    private boolean promoted;

    LeaderPromotion(MemberHooks hooks) {
        this.hooks = hooks;
    }

    /** Driver: this member became leader; its first entry in the new term is at {@code firstIndex}. */
    synchronized void becameLeader(long firstIndex) {
        promoteAtIndex = firstIndex;
    }

    /** Driver: this member stopped leading. */
    synchronized void lostLeadership() {
        promoteAtIndex = 0;
        promoted = false;
        hooks.lostLeadership();
    }

    /** Apply thread: every entry up to {@code index} is applied. */
    synchronized void applied(long index) {
        if (promoteAtIndex != 0 && index >= promoteAtIndex) {
            promoteAtIndex = 0;
            promoted = true;
            hooks.becameLeader();
        }
    }

    synchronized boolean isPromoted() {
        return promoted;
    }
}
