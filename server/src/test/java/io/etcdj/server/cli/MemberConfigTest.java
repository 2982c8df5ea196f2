package io.etcdj.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcdj.server.lease.LeaseConfig;
import org.junit.jupiter.api.Test;

/** What the command line hands the member: here, the election timeout that sets the minimum lease TTL. */
class MemberConfigTest {
    @Test
    void theElectionTimeoutReachesTheMemberAndSetsTheMinimumLeaseTtl() {
        var defaults = EtcdjMain.toMemberConfig(Loads.config());
        assertEquals(1000, defaults.electionTimeoutMs());
        assertEquals(
                2, LeaseConfig.forElectionTimeout(defaults.electionTimeoutMs()).minTtlSeconds());
        var slow = EtcdjMain.toMemberConfig(Loads.config("--election-timeout", "2500"));
        assertEquals(2500, slow.electionTimeoutMs());
        assertEquals(4, LeaseConfig.forElectionTimeout(slow.electionTimeoutMs()).minTtlSeconds()); // ceil(3.75)
    }
}
