package io.etcdj.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void threeMembersElectAndReplicate() {
        TestCluster c = TestCluster.of(3);
        c.elect(1);
        System.out.println(String.join("\n", c.takeTrace()));
        assertEquals(List.of(1L), c.leaders());
        c.propose(1, "a");
        c.propose(2, "b");
        System.out.println(String.join("\n", c.takeTrace()));
        for (long id = 1; id <= 3; id++) {
            assertEquals(List.of("a", "b"), c.get(id).appliedData(), "member " + id);
        }
    }

    @Test
    void singleMemberElectsItselfByTicking() {
        TestCluster c = TestCluster.of(1);
        c.tickAll(30);
        assertEquals(List.of(1L), c.leaders());
        c.propose(1, "x");
        assertEquals(List.of("x"), c.get(1).appliedData());
    }
}
