package io.etcdj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way out and back, with the real etcd 3.4 in the loop: data written to etcdj, saved with
 * {@code etcdctl snapshot save}, checked by {@code snapshot status}, restored with {@code snapshot restore} and
 * served by the real etcd; then etcd's own snapshot of it restored and served by etcdj (which imports the etcd data
 * dir at its first start). At each step every key at every revision from the compaction on (create/mod revision,
 * version, lease, value), the compaction error below it, the leases (TTL, attached keys), users and roles (with
 * their permissions) are identical.
 */
class SnapshotCompatTest {
    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted");
    private static final Pattern TTL = Pattern.compile("granted with TTL\\((\\d+)s\\).*attached keys\\(\\[(.*)\\]\\)");

    @RegisterExtension
    final EtcdServers servers = new EtcdServers();

    @TempDir
    Path tmp;

    /** What a client sees of the whole store: the kvs JSON at each revision, and each lease's TTL and keys. */
    record State(
            long revision,
            long compacted,
            List<String> kvsByRevision,
            TreeMap<String, String> leases,
            String usersAndRoles) {}

    @Test
    void etcdjToEtcdAndBackKeepsEveryRevisionAndLease() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs the real etcd 3.4");
        EtcdProcess etcdj = servers.startDefault("src");
        Etcdctl ctl = new Etcdctl(etcdj.clientHostPort());
        writeData(ctl);
        State written = state(ctl, 4);
        assertEquals(12, written.revision());
        assertEquals(9, written.kvsByRevision().size(), "revisions 4..12");
        assertEquals(
                List.of("ttl=600 keys=[leased1, leased2]", "ttl=900 keys=[leased3]"),
                List.copyOf(written.leases().values()));
        assertTrue(
                written.usersAndRoles().contains("alice")
                        && written.usersAndRoles().contains("[t, u)"),
                written.usersAndRoles());

        Path snap = tmp.resolve("etcdj.snapshot");
        assertTrue(ctl.ok("snapshot", "save", snap.toString()).contains("Snapshot saved at"));
        String status = ctl.ok("snapshot", "status", snap.toString(), "-w", "json");
        assertTrue(status.contains("\"revision\":12"), status);

        State inEtcd =
                state(new Etcdctl(restoreAndStart(ServerKind.ETCD, "back", snap).clientHostPort()), 4);
        assertEquals(written, inEtcd, "the real etcd serves what etcdj held");

        EtcdProcess etcd = servers.servers().get(1);
        Path etcdSnap = tmp.resolve("etcd.snapshot");
        new Etcdctl(etcd.clientHostPort()).ok("snapshot", "save", etcdSnap.toString());
        State again = state(
                new Etcdctl(restoreAndStart(ServerKind.ETCDJ, "again", etcdSnap).clientHostPort()), 4);
        assertEquals(written, again, "etcdj serves what the real etcd's snapshot holds");
    }

    @Test
    void etcdjStartsOnACleanlyStoppedEtcdMembersDataDir() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs the real etcd 3.4");
        EtcdProcess etcd = servers.start(EtcdProcess.builder(ServerKind.ETCD).name("stopped"));
        Etcdctl ctl = new Etcdctl(etcd.clientHostPort());
        writeData(ctl);
        State written = state(ctl, 4);
        etcd.stop(); // SIGTERM: etcd writes its database out
        State imported = state(new Etcdctl(startOnDataDirOf(etcd).clientHostPort()), 4);
        assertEquals(written, imported);
    }

    @Test
    void anEtcdMemberKilledBeforeItsDatabaseCaughtUpIsRefused() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs the real etcd 3.4");
        // the backend commits only at stop: a kill leaves every put in the WAL alone
        EtcdProcess etcd = servers.start(EtcdProcess.builder(ServerKind.ETCD)
                .name("killed")
                .extraArgs("--backend-batch-interval", "1h", "--backend-batch-limit", "1000000"));
        new Etcdctl(etcd.clientHostPort()).ok("put", "acknowledged", "v");
        etcd.kill();
        EtcdProcess etcdj =
                servers.add(EtcdProcess.builder(ServerKind.ETCDJ).name("killed").build());
        copyDataDir(etcd.dataDir(), etcdj.dataDir());
        IllegalStateException e =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, etcdj::start);
        assertTrue(
                e.getMessage().contains("refusing to import") && e.getMessage().contains("committed put"),
                e.getMessage());
        assertTrue(Files.notExists(etcdj.dataDir().resolve("etcdj")), "nothing imported");
    }

    @Test
    void aThreeMemberClusterRestoredFromOneSnapshotServesItAndReplicatesNewWrites() throws Exception {
        Etcdctl source = new Etcdctl(servers.startDefault("single").clientHostPort());
        writeData(source);
        State written = state(source, 4);
        Path snap = tmp.resolve("cluster.snapshot");
        source.ok("snapshot", "save", snap.toString());
        // etcd's disaster recovery: every member restores the same snapshot with the whole cluster's flags
        List<Integer> ports = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(EtcdProcess.freePort());
            entries.add("r" + i + "=http://127.0.0.1:" + ports.get(i));
        }
        String initial = String.join(",", entries);
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EtcdProcess m = servers.add(
                    EtcdCluster.member("r" + i, ports.get(i), initial).build());
            Etcdctl.Result r = new Etcdctl("127.0.0.1:1")
                    .run(
                            null,
                            "snapshot",
                            "restore",
                            snap.toString(),
                            "--data-dir",
                            m.dataDir().toString(),
                            "--name",
                            "r" + i,
                            "--initial-cluster",
                            initial,
                            "--initial-advertise-peer-urls",
                            m.peerUrl(),
                            "--initial-cluster-token",
                            "it-cluster");
            assertEquals(0, r.exitCode(), r.toString());
            members.add(m.launch());
        }
        members.forEach(EtcdProcess::awaitReady);
        for (EtcdProcess m : members) {
            assertEquals(written, state(new Etcdctl(m.clientHostPort()), 4), m.name());
        }
        new Etcdctl(members.get(0).clientHostPort()).ok("put", "after-restore", "v");
        for (EtcdProcess m : members) {
            String got = new Etcdctl(m.clientHostPort()).ok("get", "after-restore", "-w", "json");
            assertTrue(got.contains("\"mod_revision\":13"), m.name() + ": " + got);
        }
    }

    @Test
    void aStoreImportedOfflineIsSentToAMemberAddedLater() throws Exception {
        Etcdctl source = new Etcdctl(servers.startDefault("offline-src").clientHostPort());
        writeData(source);
        State written = state(source, 4);
        Path snap = tmp.resolve("offline.snapshot");
        source.ok("snapshot", "save", snap.toString());
        EtcdProcess first = servers.add(EtcdProcess.builder(ServerKind.ETCDJ)
                .name("first")
                .env("ETCDJ_JAVA_OPTS", "-Xmx256m")
                .build());
        Process imp = new ProcessBuilder(
                        ServerKind.ETCDJ.binary().toString(),
                        "import",
                        snap.toString(),
                        "--data-dir",
                        first.dataDir().toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(imp.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, imp.waitFor(), out);
        assertTrue(out.contains("keys 8, revisions 12 (current 12, compacted 4), leases 2"), out);
        first.start();
        Etcdctl ctl = new Etcdctl(first.clientHostPort());
        assertEquals(written, state(ctl, 4));
        int peerPort = EtcdProcess.freePort();
        String peer = "http://127.0.0.1:" + peerPort;
        ctl.ok("member", "add", "second", "--peer-urls=" + peer);
        EtcdProcess second = servers.start(EtcdProcess.builder(ServerKind.ETCDJ)
                .name("second")
                .peerPort(peerPort)
                .initialCluster("first=" + first.peerUrl() + ",second=" + peer)
                .initialClusterState("existing")
                .env("ETCDJ_JAVA_OPTS", "-Xmx256m"));
        assertEquals(written, state(new Etcdctl(second.clientHostPort()), 4), "the new member got the store");
    }

    /** A new etcdj server (same name) on a copy of {@code etcd}'s data dir. */
    private EtcdProcess startOnDataDirOf(EtcdProcess etcd) throws Exception {
        EtcdProcess etcdj = servers.add(
                EtcdProcess.builder(ServerKind.ETCDJ).name(etcd.name()).build());
        copyDataDir(etcd.dataDir(), etcdj.dataDir());
        return etcdj.start();
    }

    private static void copyDataDir(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void writeData(Etcdctl ctl) {
        ctl.ok("put", "a", "1"); // 2
        ctl.ok("put", "b", "1"); // 3
        ctl.ok("put", "a", "2"); // 4: compacted below
        ctl.ok("put", "a", "3"); // 5
        ctl.ok("del", "b"); // 6
        Etcdctl.Result txn = ctl.run("\nput t1 v1\nput t2 v2\nput t3 v3\n\n\n", "txn"); // 7: three keys, one revision
        assertEquals(0, txn.exitCode(), txn.toString());
        byte[] big = new byte[12_000];
        new Random(1).nextBytes(big);
        ctl.ok("put", "big", java.util.HexFormat.of().formatHex(big)); // 8: a value over several pages
        String l1 = lease(ctl.ok("lease", "grant", "600"));
        String l2 = lease(ctl.ok("lease", "grant", "900"));
        ctl.ok("put", "leased1", "x", "--lease=" + l1); // 9
        ctl.ok("put", "leased2", "y", "--lease=" + l1); // 10
        ctl.ok("put", "leased3", "z", "--lease=" + l2); // 11
        ctl.ok("compact", "4");
        ctl.ok("put", "t1", "after-compaction"); // 12
        ctl.ok("user", "add", "alice", "--new-user-password=secret");
        ctl.ok("role", "add", "reader");
        ctl.ok("role", "grant-permission", "reader", "read", "t", "--prefix=true");
        ctl.ok("role", "grant-permission", "reader", "readwrite", "big");
        ctl.ok("user", "grant-role", "alice", "reader");
        ctl.ok("role", "add", "empty");
    }

    private static String lease(String grantOutput) {
        Matcher m = GRANTED.matcher(grantOutput);
        assertTrue(m.find(), grantOutput);
        return m.group(1);
    }

    /** Restores {@code snapshot} with etcdctl into a new server's data dir and starts it there. */
    private EtcdProcess restoreAndStart(ServerKind kind, String name, Path snapshot) {
        EtcdProcess p = servers.add(EtcdProcess.builder(kind).name(name).build());
        Etcdctl.Result r = new Etcdctl("127.0.0.1:1")
                .run(
                        null,
                        "snapshot",
                        "restore",
                        snapshot.toString(),
                        "--data-dir",
                        p.dataDir().toString(),
                        "--name",
                        name,
                        "--initial-cluster",
                        name + "=" + p.peerUrl(),
                        "--initial-advertise-peer-urls",
                        p.peerUrl(),
                        "--initial-cluster-token",
                        "etcd-cluster");
        assertEquals(0, r.exitCode(), r.toString());
        return p.start();
    }

    private static State state(Etcdctl ctl, long compacted) {
        String now = ctl.ok("get", "", "--from-key", "-w", "json");
        long revision = Long.parseLong(field(now, "\"revision\":(\\d+)"));
        List<String> kvs = new ArrayList<>();
        for (long rev = compacted; rev <= revision; rev++) {
            String json = ctl.ok("get", "", "--from-key", "--rev=" + rev, "-w", "json");
            kvs.add(json.substring(json.indexOf("\"kvs\"") < 0 ? json.length() : json.indexOf("\"kvs\"")));
        }
        Etcdctl.Result below = ctl.run(null, "get", "a", "--rev=" + (compacted - 1));
        assertTrue(
                below.exitCode() != 0 && below.stderr().contains("required revision has been compacted"),
                below.toString());
        TreeMap<String, String> leases = new TreeMap<>();
        for (String line : ctl.ok("lease", "list").split("\n")) {
            if (line.matches("[0-9a-f]+")) {
                String ttl = ctl.ok("lease", "timetolive", line, "--keys");
                Matcher m = TTL.matcher(ttl);
                assertTrue(m.find(), ttl);
                List<String> keys = new ArrayList<>(List.of(m.group(2).split(" ")));
                keys.sort(null); // etcd lists a lease's keys in map order
                leases.put(line, "ttl=" + m.group(1) + " keys=" + keys);
            }
        }
        String auth = ctl.ok("user", "list")
                + ctl.ok("role", "list")
                + ctl.ok("user", "get", "alice")
                + ctl.ok("role", "get", "reader")
                + ctl.ok("role", "get", "empty");
        return new State(revision, compacted, kvs, leases, auth);
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }
}
