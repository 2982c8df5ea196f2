package io.etcdj.server.apply;

/** Whether a lease exists, for writes that attach keys to one. */
@FunctionalInterface
public interface LeaseLookup {
    /** Until the lease service exists, no lease does: a put naming one is refused as etcd refuses an unknown one. */
    LeaseLookup NONE = id -> false;

    boolean exists(long leaseId);
}
