package io.etcdj.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.api.etcdserverpb.CompactionRequest;
import io.etcdj.api.etcdserverpb.DeleteRangeRequest;
import io.etcdj.api.etcdserverpb.KVGrpc;
import io.etcdj.api.etcdserverpb.LeaseGrantRequest;
import io.etcdj.api.etcdserverpb.LeaseGrpc;
import io.etcdj.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdj.api.etcdserverpb.MaintenanceGrpc;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.RequestOp;
import io.etcdj.api.etcdserverpb.SnapshotRequest;
import io.etcdj.api.etcdserverpb.SnapshotResponse;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance.Snapshot's stream (etcd's framing: chunks with the bytes still to come, then the SHA-256), and that
 * the file it gives, placed as an etcd member's database, is imported by a new member with every revision.
 */
class SnapshotRoundTripTest {
    @TempDir
    Path dir;

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static String url(EtcdjServer s) {
        return "http://127.0.0.1:" + s.clientPort().activePort(SessionProtocol.HTTP);
    }

    @Test
    void snapshotOfOneMemberIsServedByAnotherWithItsHistory() throws Exception {
        byte[] db;
        RangeResponse[] before = new RangeResponse[12];
        try (EtcdjServer a =
                EtcdjServer.start(MemberConfig.singleMember(dir.resolve("a"), URI.create("http://127.0.0.1:0")))) {
            KVGrpc.KVBlockingStub kv = GrpcClients.newClient(url(a), KVGrpc.KVBlockingStub.class);
            LeaseGrpc.LeaseBlockingStub lease = GrpcClients.newClient(url(a), LeaseGrpc.LeaseBlockingStub.class);
            kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).build()); // 2
            kv.put(PutRequest.newBuilder().setKey(bs("b")).setValue(bs("1")).build()); // 3
            kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("2")).build()); // 4
            kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("b")).build()); // 5
            long id = lease.leaseGrant(
                            LeaseGrantRequest.newBuilder().setTTL(600).build())
                    .getID();
            kv.put(PutRequest.newBuilder()
                    .setKey(bs("leased"))
                    .setValue(bs("x"))
                    .setLease(id)
                    .build()); // 6
            kv.txn(TxnRequest.newBuilder() // 7: three keys at one revision
                    .addSuccess(put("t1", "v"))
                    .addSuccess(put("t2", "v"))
                    .addSuccess(put("t3", "v"))
                    .build());
            byte[] big = new byte[100_000];
            new Random(7).nextBytes(big);
            kv.put(PutRequest.newBuilder()
                    .setKey(bs("big"))
                    .setValue(ByteString.copyFrom(big))
                    .build()); // 8
            kv.compact(CompactionRequest.newBuilder()
                    .setRevision(3)
                    .setPhysical(true)
                    .build());
            kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("3")).build()); // 9
            for (int rev = 3; rev <= 9; rev++) {
                before[rev] = kv.range(all(rev));
            }
            db = snapshot(GrpcClients.newClient(url(a), MaintenanceGrpc.MaintenanceBlockingStub.class));
        }
        Path b = dir.resolve("b");
        Files.createDirectories(b.resolve("member/snap"));
        Files.write(b.resolve("member/snap/db"), db);
        try (EtcdjServer s = EtcdjServer.start(MemberConfig.singleMember(b, URI.create("http://127.0.0.1:0")))) {
            KVGrpc.KVBlockingStub kv = GrpcClients.newClient(url(s), KVGrpc.KVBlockingStub.class);
            for (int rev = 3; rev <= 9; rev++) {
                assertEquals(before[rev].getKvsList(), kv.range(all(rev)).getKvsList(), "at revision " + rev);
            }
            assertEquals(9, kv.range(all(0)).getHeader().getRevision());
            StatusRuntimeException compacted = assertThrows(StatusRuntimeException.class, () -> kv.range(all(2)));
            assertTrue(compacted.getMessage().contains("compacted"), compacted.getMessage());
            LeaseGrpc.LeaseBlockingStub lease = GrpcClients.newClient(url(s), LeaseGrpc.LeaseBlockingStub.class);
            assertEquals(
                    1,
                    lease.leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesCount());
            assertEquals(
                    10,
                    kv.put(PutRequest.newBuilder()
                                    .setKey(bs("after"))
                                    .setValue(bs("v"))
                                    .build())
                            .getHeader()
                            .getRevision(),
                    "writes continue from the imported revision");
        }
        assertArrayEquals(db, Files.readAllBytes(b.resolve("member/snap/db")), "the etcd file is only read");
    }

    @Test
    void exportAndImportCommandsMoveAStoreOffline() throws Exception {
        Path a = dir.resolve("a");
        RangeResponse before;
        try (EtcdjServer s = EtcdjServer.start(MemberConfig.singleMember(a, URI.create("http://127.0.0.1:0")))) {
            KVGrpc.KVBlockingStub kv = GrpcClients.newClient(url(s), KVGrpc.KVBlockingStub.class);
            for (int i = 0; i < 500; i++) {
                kv.put(PutRequest.newBuilder()
                        .setKey(bs("k" + i % 50))
                        .setValue(bs("v" + i))
                        .build());
            }
            before = kv.range(all(300));
        }
        Path file = dir.resolve("out.snapshot");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true);
        assertEquals(
                0,
                io.etcdj.server.snapshot.SnapshotCommand.run(
                        "export", new String[] {"--data-dir", a.toString(), file.toString()}, print, print),
                out.toString());
        assertTrue(out.toString().contains("keys 50, revisions 500"), out.toString());
        Path b = dir.resolve("b");
        assertEquals(
                0,
                io.etcdj.server.snapshot.SnapshotCommand.run(
                        "import", new String[] {file.toString(), "--data-dir", b.toString()}, print, print),
                out.toString());
        try (EtcdjServer s = EtcdjServer.start(MemberConfig.singleMember(b, URI.create("http://127.0.0.1:0")))) {
            KVGrpc.KVBlockingStub kv = GrpcClients.newClient(url(s), KVGrpc.KVBlockingStub.class);
            assertEquals(before.getKvsList(), kv.range(all(300)).getKvsList());
            assertEquals(501, kv.range(all(0)).getHeader().getRevision());
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55; // the hash no longer matches: refused, nothing written
        Files.write(file, bytes);
        assertEquals(
                1,
                io.etcdj.server.snapshot.SnapshotCommand.run(
                        "import",
                        new String[] {
                            file.toString(), "--data-dir", dir.resolve("c").toString()
                        },
                        print,
                        print));
        assertTrue(out.toString().contains("expected sha256"), out.toString());
        assertTrue(Files.notExists(dir.resolve("c")));
    }

    private static RequestOp put(String k, String v) {
        return RequestOp.newBuilder()
                .setRequestPut(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)))
                .build();
    }

    private static RangeRequest all(long rev) {
        return RangeRequest.newBuilder()
                .setKey(bs("\0"))
                .setRangeEnd(bs("\0"))
                .setRevision(rev)
                .build();
    }

    /** Reads a snapshot stream, checks etcd's framing, and returns the database (without the hash). */
    static byte[] snapshot(MaintenanceGrpc.MaintenanceBlockingStub m) throws Exception {
        Iterator<SnapshotResponse> it = m.snapshot(SnapshotRequest.getDefaultInstance());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        SnapshotResponse last = null;
        while (it.hasNext()) {
            SnapshotResponse r = it.next();
            if (last != null) {
                data.write(last.getBlob().toByteArray());
                assertEquals(
                        last.getRemainingBytes(),
                        r.getRemainingBytes()
                                + (r.getRemainingBytes() == 0 && r.getBlob().size() == 32
                                        ? 0
                                        : r.getBlob().size()),
                        "remaining_bytes counts down");
            }
            last = r;
        }
        assertEquals(0, last.getRemainingBytes());
        byte[] file = data.toByteArray();
        assertEquals(0, file.length % 4096, "whole pages");
        assertArrayEquals(
                MessageDigest.getInstance("SHA-256").digest(file),
                last.getBlob().toByteArray());
        return file;
    }

    @Test
    void anEtcdMemberWhoseWalIsAheadOfItsDatabaseIsRefused() throws Exception {
        byte[] db;
        try (EtcdjServer a =
                EtcdjServer.start(MemberConfig.singleMember(dir.resolve("a"), URI.create("http://127.0.0.1:0")))) {
            GrpcClients.newClient(url(a), KVGrpc.KVBlockingStub.class)
                    .put(PutRequest.newBuilder()
                            .setKey(bs("k"))
                            .setValue(bs("v"))
                            .build());
            db = snapshot(GrpcClients.newClient(url(a), MaintenanceGrpc.MaintenanceBlockingStub.class));
        }
        Path b = dir.resolve("b");
        Files.createDirectories(b.resolve("member/snap"));
        Files.createDirectories(b.resolve("member/wal"));
        Files.write(b.resolve("member/snap/db"), db);
        // the snapshot's consistent index is small; the WAL has a committed put at index 1000
        byte[] put = message(4, message(1, bs("lost").toByteArray()));
        byte[] entry = concat(varint(1, 0), varint(2, 2), varint(3, 1000), message(4, put));
        byte[] hardState = concat(varint(1, 2), varint(3, 1000));
        Files.write(
                b.resolve("member/wal/0000000000000000-0000000000000000.wal"),
                concat(
                        frame(concat(varint(1, 2), message(3, entry))),
                        frame(concat(varint(1, 3), message(3, hardState)))));
        IOException e = assertThrows(
                IOException.class,
                () -> EtcdjServer.start(MemberConfig.singleMember(b, URI.create("http://127.0.0.1:0"))));
        assertTrue(e.getMessage().contains("committed put at index 1000"), e.getMessage());
        assertTrue(Files.notExists(b.resolve("etcdj")), "nothing written");
    }

    private static byte[] varint(int field, long v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeUInt64(field, v);
        c.flush();
        return out.toByteArray();
    }

    private static byte[] message(int field, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeByteArray(field, body);
        c.flush();
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** etcd's WAL frame: a little-endian length with the padding in the top byte, the record, the padding. */
    private static byte[] frame(byte[] record) {
        int pad = (8 - record.length % 8) % 8;
        long len = record.length | (pad > 0 ? (0x80L | pad) << 56 : 0);
        ByteBuffer b = ByteBuffer.allocate(8 + record.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(len).put(record);
        return b.array();
    }
}
