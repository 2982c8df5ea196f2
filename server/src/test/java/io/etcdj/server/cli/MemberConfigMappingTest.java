package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcdj.server.MemberConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the command line becomes in the member's configuration. */
class MemberConfigMappingTest {
    @Test
    void watchProgressNotifyIntervalReachesTheMember() {
        MemberConfig dflt = EtcdjMain.toMemberConfig(Loads.config());
        assertEquals(MemberConfig.DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL, dflt.watchProgressNotifyInterval());
        MemberConfig set =
                EtcdjMain.toMemberConfig(Loads.config("--experimental-watch-progress-notify-interval=250ms"));
        assertEquals(Duration.ofMillis(250), set.watchProgressNotifyInterval());
    }
}
