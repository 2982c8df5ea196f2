/**
 * The Raft consensus core: a pure, single-threaded state machine with no I/O, threads or clock.
 *
 * <p>Start at {@link io.etcdj.raft.RaftNode} (the member and its driver loop) and {@link io.etcdj.raft.Ready}
 * (the batch contract: what must be durable before which messages are sent). {@link io.etcdj.raft.Storage}
 * is the seam through which the core reads the durable log; {@link io.etcdj.raft.RaftCodec} encodes what
 * travels and what is persisted.
 */
package io.etcdj.raft;
