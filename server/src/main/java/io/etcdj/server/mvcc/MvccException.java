package io.etcdj.server.mvcc;

/** A read or write the store refuses: the revision asked for is compacted or lies in the future. */
public final class MvccException extends Exception {
    /** Why the store refused. */
    public enum Kind {
        COMPACTED,
        FUTURE_REVISION
    }

    private final Kind kind;

    public MvccException(Kind kind) {
        super(
                kind == Kind.COMPACTED
                        ? "mvcc: required revision has been compacted"
                        : "mvcc: required revision is a future revision",
                null,
                false,
                false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
