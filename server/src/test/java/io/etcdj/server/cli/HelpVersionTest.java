package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcdj.server.common.Versions;
import org.junit.jupiter.api.Test;

class HelpVersionTest {
    @Test
    void helpListsEveryVisibleFlagByGroupWithItsDefault() {
        for (String flag : new String[] {"--help", "-h", "-help", "--h"}) {
            ConfigLoader.Exit exit = Loads.exit(flag);
            assertEquals(0, exit.exitCode(), flag);
            assertEquals("", exit.stderr());
            assertTrue(exit.stdout().startsWith("Usage:"), flag);
        }
        String help = Loads.exit("--help").stdout();
        for (String heading : new String[] {
            "Member:",
            "Clustering:",
            "Security:",
            "Auth:",
            "Logging:",
            "Feature gates and formerly experimental features:",
            "Unsafe feature:"
        }) {
            assertTrue(help.contains("\n" + heading + "\n"), heading);
        }
        assertTrue(help.contains("  --name 'default'\n"), help);
        assertTrue(help.contains("  --data-dir '${name}.etcd'\n"));
        assertTrue(help.contains("  --watch-progress-notify-interval '10m'\n"));
        assertTrue(help.contains("  --experimental-watch-progress-notify-interval '10m'\n"));
        assertTrue(help.contains("  --max-concurrent-streams 'math.MaxUint32'\n"));
        for (FlagDef def : FlagTable.all()) {
            boolean visible = def.group() != FlagGroup.HIDDEN && def.group() != FlagGroup.COMMAND;
            assertEquals(visible, help.contains("  --" + def.name() + " '"), def.name());
        }
        assertFalse(help.contains("--cluster-active-size"));
    }

    @Test
    void helpWinsOverOtherFlags() {
        assertEquals(0, Loads.exit("--name", "x", "--help").exitCode());
    }

    @Test
    void versionPrintsEtcdStyleLines() {
        ConfigLoader.Exit exit = Loads.exit("--version");
        assertEquals(0, exit.exitCode());
        assertEquals("", exit.stderr());
        String[] lines = exit.stdout().split("\n");
        assertEquals("etcd Version: " + Versions.ETCD_SERVER, lines[0]);
        assertEquals("etcdj Version: 9.9.9-test", lines[1]);
        assertEquals("Git SHA: abc123", lines[2]);
        assertTrue(lines[3].startsWith("Go Version: n/a (Java " + Runtime.version()), lines[3]);
        assertTrue(lines[4].startsWith("Go OS/Arch: "), lines[4]);
        assertEquals(0, Loads.exit("-version").exitCode());
        assertEquals(0, Loads.exit("--version=true").exitCode());
    }

    @Test
    void versionFalseStarts() {
        Loads.start("--version=false");
    }
}
