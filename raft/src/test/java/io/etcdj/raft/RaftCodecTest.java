package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Round trips of the binary codec, and its refusal of malformed input. */
class RaftCodecTest {

    private static Arbitrary<Long> nat() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300), Arbitraries.longs().between(0, Long.MAX_VALUE));
    }

    private static Arbitrary<Long> ids() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE);
    }

    private static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    }

    private static Arbitrary<Entry> entries() {
        return Combinators.combine(nat(), nat(), Arbitraries.of(EntryType.class), bytes())
                .as(Entry::new);
    }

    private static Arbitrary<ConfState> confStates() {
        return ids().set()
                .ofMaxSize(5)
                .flatMap(voters -> ids().filter(id -> !voters.contains(id))
                        .set()
                        .ofMaxSize(3)
                        .map(learners -> new ConfState(new TreeSet<>(voters), new TreeSet<>(learners))));
    }

    private static Arbitrary<Snapshot> snapshots() {
        return Combinators.combine(nat(), nat(), confStates(), bytes())
                .as((i, t, cs, d) -> new Snapshot(new SnapshotMetadata(i, t, cs), d));
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Long> n = nat();
        Arbitrary<Boolean> b = Arbitraries.of(true, false);
        Arbitrary<List<Entry>> ents = entries().list().ofMaxSize(4);
        return Arbitraries.oneOf(
                Combinators.combine(n, n, n, n, n, ents, n).as(Message.AppendRequest::new),
                Combinators.combine(n, n, n, n, b, n, n).as(Message.AppendResponse::new),
                Combinators.combine(n, n, n, n, n, b, b).as(Message.VoteRequest::new),
                Combinators.combine(n, n, n, b, b).as(Message.VoteResponse::new),
                Combinators.combine(n, n, n, n, n).as(Message.HeartbeatRequest::new),
                Combinators.combine(n, n, n, n).as(Message.HeartbeatResponse::new),
                Combinators.combine(n, n, n, snapshots()).as(Message.SnapshotRequest::new),
                Combinators.combine(n, n, n).as(Message.TimeoutNow::new),
                Combinators.combine(n, n, n, ents).as(Message.ProposalRequest::new),
                Combinators.combine(n, n, n, bytes()).as(Message.ReadIndexRequest::new),
                Combinators.combine(n, n, n, n, bytes()).as(Message.ReadIndexResponse::new),
                Combinators.combine(n, n, n, n).as(Message.TransferRequest::new));
    }

    @Property(tries = 500, seed = "42")
    void everyMessageSurvivesARoundTrip(@ForAll("messages") Message m) {
        byte[] wire = RaftCodec.encode(m);
        Message back = RaftCodec.decode(wire);
        assertArrayEquals(wire, RaftCodec.encode(back));
        assertEquals(m.getClass(), back.getClass());
        assertEquals(m.from(), back.from());
        assertEquals(m.term(), back.term());
    }

    @Property(tries = 300, seed = "42")
    void everyTruncationOfAMessageIsRejectedAsMalformed(@ForAll("messages") Message m) {
        byte[] wire = RaftCodec.encode(m);
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            assertThrows(IllegalArgumentException.class, () -> RaftCodec.decode(cut));
        }
    }

    @Property(tries = 2000, seed = "42")
    void arbitraryBytesDecodeOrAreRejectedButNeverCrash(@ForAll byte[] junk) {
        try {
            RaftCodec.decode(junk);
        } catch (IllegalArgumentException expected) {
            // malformed input is reported, nothing else
        }
    }

    @Property(tries = 300, seed = "42")
    void entriesHardStatesAndSnapshotMetadataSurviveRoundTrips(@ForAll("messages") Message ignored) {
        entries()
                .sampleStream()
                .limit(5)
                .forEach(e -> assertEquals(e, RaftCodec.decodeEntry(RaftCodec.encodeEntry(e))));
        snapshots()
                .sampleStream()
                .limit(2)
                .forEach(s -> assertEquals(
                        s.metadata(),
                        RaftCodec.decodeSnapshotMetadata(RaftCodec.encodeSnapshotMetadata(s.metadata()))));
    }

    @Test
    void hardStateAndConfChangeRoundTrip() {
        HardState hs = new HardState(7, 3, 1234567890123L);
        assertEquals(hs, RaftCodec.decodeHardState(RaftCodec.encodeHardState(hs)));
        for (ConfChangeType t : ConfChangeType.values()) {
            ConfChange cc = new ConfChange(t, 42, "http://10.0.0.1:2380".getBytes());
            assertEquals(cc, RaftCodec.decodeConfChange(RaftCodec.encodeConfChange(cc)));
        }
        assertEquals(
                Set.of(),
                RaftCodec.decodeSnapshotMetadata(RaftCodec.encodeSnapshotMetadata(SnapshotMetadata.EMPTY))
                        .confState()
                        .voters());
    }

    @Test
    void theEncodingIsCompact() {
        byte[] hb = RaftCodec.encode(new Message.HeartbeatRequest(1, 2, 5, 1000, 0));
        assertEquals(7, hb.length, "tag, four small varints and a two-byte varint");
        byte[] app = RaftCodec.encode(new Message.AppendRequest(
                1, 2, 5, 99, 5, List.of(new Entry(5, 100, EntryType.NORMAL, new byte[100])), 99));
        assertEquals(112, app.length);
    }
}
