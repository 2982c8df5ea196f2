package io.etcdj.raft;

import java.util.List;

/**
 * One batch of output from {@link RaftNode#ready()}. The application must handle it in this order, then
 * call {@link RaftNode#advance(Ready)}:
 * <ol>
 *   <li>It may send {@link #earlyMessages} at once, in parallel with the write of step 2: a leader's appends,
 *       heartbeats, snapshots and TimeoutNow (Raft thesis §10.2.1: the leader counts its own copy of an entry
 *       only after the batch that carries it is advanced), and messages that promise nothing about the sender's
 *       durable state (forwarded proposals and read requests, read answers, heartbeat answers). Sending them
 *       after step 2 is also correct, just slower.</li>
 *   <li>If {@link #snapshot} is present, install it durably (replacing the log) before anything else.</li>
 *   <li>Append {@link #entries} to the durable log, dropping any persisted entries at or after the first
 *       one's index, and save {@link #hardState} if present. When {@link #mustSync} is true this write
 *       must be synced (fsync) before step 3: a vote or an acknowledgement sent from unsynced state can
 *       be forgotten by a crash and break safety.</li>
 *   <li>Only then send {@link #messages}, in any order (the network may drop or reorder them anyway): votes
 *       and acknowledgements promise state that must already be durable.</li>
 *   <li>Apply {@link #committedEntries} to the state machine in order (they are durable after step 2),
 *       and answer each {@link ReadState} once the state machine has applied its index.</li>
 *   <li>Call {@link RaftNode#advance(Ready)} with this batch; until then {@link RaftNode#ready()} refuses
 *       to produce another one, though messages, ticks and proposals may still be stepped in.</li>
 * </ol>
 * Membership changes among the committed entries take effect inside the core when this batch is
 * advanced; the application only records them (e.g. member URLs).
 *
 * @param softState        leader and role, or null if unchanged since the previous batch
 * @param hardState        term, vote and commit to persist, or null if unchanged
 * @param readStates       reads confirmed since the previous batch
 * @param entries          entries to append to durable storage
 * @param snapshot         snapshot to install, or null
 * @param committedEntries entries to apply, in order
 * @param earlyMessages    messages that may be sent before persisting (see step 1)
 * @param messages         messages to send only after persisting
 * @param mustSync         whether step 2 must be synced before the messages go out
 */
public record Ready(
        SoftState softState,
        HardState hardState,
        List<ReadState> readStates,
        List<Entry> entries,
        Snapshot snapshot,
        List<Entry> committedEntries,
        List<Message> earlyMessages,
        List<Message> messages,
        boolean mustSync) {

    /** Copies the lists. */
    public Ready {
        readStates = List.copyOf(readStates);
        entries = List.copyOf(entries);
        committedEntries = List.copyOf(committedEntries);
        earlyMessages = List.copyOf(earlyMessages);
        messages = List.copyOf(messages);
    }
}
