package io.etcdj.server.kv;

import io.etcdj.server.common.EtcdError;
import io.etcdj.server.common.EtcdException;
import io.etcdj.server.mvcc.MvccException;

/** Store refusals as the errors etcd gives clients. */
public final class Errors {
    private Errors() {}

    public static EtcdException of(MvccException e) {
        return (e.kind() == MvccException.Kind.COMPACTED ? EtcdError.COMPACTED : EtcdError.FUTURE_REV).exception();
    }
}
