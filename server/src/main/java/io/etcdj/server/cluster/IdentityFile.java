package io.etcdj.server.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The member's identity, written once when its data dir is created and read on every restart (the initial-*
 * flags are then ignored, as etcd ignores them). Written atomically: temp file, fsync, rename, fsync dir.
 */
public final class IdentityFile {
    private IdentityFile() {}

    public static ClusterIdentity read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            long clusterId = Long.parseUnsignedLong(p.getProperty("cluster.id"), 16);
            long selfId = Long.parseUnsignedLong(p.getProperty("member.id"), 16);
            int count = Integer.parseInt(p.getProperty("members"));
            List<MemberInfo> members = new ArrayList<>();
            MemberInfo self = null;
            for (int i = 0; i < count; i++) {
                String pre = "member." + i + ".";
                MemberInfo m = new MemberInfo(
                        Long.parseUnsignedLong(p.getProperty(pre + "id"), 16),
                        p.getProperty(pre + "name"),
                        split(p.getProperty(pre + "peer-urls")),
                        split(p.getProperty(pre + "client-urls")),
                        false);
                members.add(m);
                if (m.id() == selfId) {
                    self = m;
                }
            }
            if (self == null) {
                throw new IOException("member " + Long.toHexString(selfId) + " is not among the members listed");
            }
            return new ClusterIdentity(clusterId, self, List.copyOf(members));
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged (" + e + "); restore the data dir from a backup", e);
        }
    }

    public static void write(Path file, ClusterIdentity id) throws IOException {
        Properties p = new Properties();
        p.setProperty("cluster.id", Long.toHexString(id.clusterId()));
        p.setProperty("member.id", Long.toHexString(id.memberId()));
        p.setProperty("members", Integer.toString(id.members().size()));
        for (int i = 0; i < id.members().size(); i++) {
            MemberInfo m = id.members().get(i);
            String pre = "member." + i + ".";
            p.setProperty(pre + "id", Long.toHexString(m.id()));
            p.setProperty(pre + "name", m.name());
            p.setProperty(pre + "peer-urls", String.join(",", m.peerUrls()));
            p.setProperty(pre + "client-urls", String.join(",", m.clientUrls()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "etcdj member identity: do not edit");
        }
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static List<String> split(String s) {
        return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }
}
