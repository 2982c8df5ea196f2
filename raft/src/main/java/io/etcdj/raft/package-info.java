/** The Raft consensus core: a pure, single-threaded state machine with no I/O, threads or clock. */
package io.etcdj.raft;
