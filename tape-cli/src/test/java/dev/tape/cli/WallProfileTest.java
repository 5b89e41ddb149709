package dev.tape.cli;

import dev.tape.vm.StackSampler.Where;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wall profile's tree: samples add their time to their stacks, and the tree stays bounded. */
class WallProfileTest {
    @Test
    void samplesAddTheirTimeToTheirStacksWithHostAndInterpreterLeaves() {
        WallProfile p = new WallProfile(8, 100, 1000);
        p.add(new int[] {0, 1, 2}, 3, Where.COMPILED, null, 1000);
        p.add(new int[] {0, 1, 2}, 3, Where.COMPILED, "std.print_i64", 1500);
        p.add(new int[] {0, 1}, 2, Where.HOST, "std.print_i64", 900);
        p.add(new int[] {0, 1}, 2, Where.HOST, null, 10);
        p.add(new int[] {0}, 1, Where.INTERPRETED, null, 20);
        p.add(new int[0], 0, Where.COMPILING, null, 30);
        // outside the run: neither the sample nor its time counts
        p.add(new int[] {5}, 1, Where.OUTSIDE, null, 40);
        assertEquals(6, p.samples());
        assertEquals(3460, p.micros());
        assertEquals("""
                [compiling] 30
                func 0;[interpreted] 20
                func 0;func 1;[host] 10
                func 0;func 1;[host] std.print_i64 900
                func 0;func 1;func 2 2500
                """, ProfileWriters.collapsed(p.root()));
    }

    @Test
    void deepStacksFoldAtMaxDepthAndManyStacksIntoOther() {
        WallProfile p = new WallProfile(4, 50, 1000);
        int[] ids = new int[5];
        // 10 frames found, 5 written (the array is maxDepth + 1 long, as the sampler's is)
        p.add(ids, 10, Where.COMPILED, null, 7);
        assertEquals("func 0;func 0;func 0;func 0;[deeper frames] 7\n", ProfileWriters.collapsed(p.root()));
        for (int f = 1; f <= 10_000; f++) {
            p.add(new int[] {f, f}, 2, Where.COMPILED, null, 1);
        }
        assertTrue(p.nodeCount() <= 2 * 50 + 1, "nodes " + p.nodeCount());
        assertEquals(10_007, ProfileWriters.totals(p.root()).get(p.root()));
        assertTrue(ProfileWriters.collapsed(p.root()).contains("[other] "));
    }
}
