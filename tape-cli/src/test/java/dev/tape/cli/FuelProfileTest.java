package dev.tape.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profile's tree stays bounded whatever the run does, and its fuel still adds up. */
class FuelProfileTest {
    @Test
    void aMillionFramesDeepCostsMaxDepthFrames() {
        FuelProfile p = new FuelProfile(FuelProfile.By.FUNCTION, 64, 1000);
        int depth = 1_000_000;
        for (int d = 1; d <= depth; d++) {
            p.callEnter(d % 7, d);
            p.instr(d % 7, 0, 0, 0);
        }
        for (int d = depth; d >= 1; d--) {
            p.instr(d % 7, 4, 0, 0);
            p.callExit(d % 7, d);
        }
        p.runEnd(null, false, 2L * depth);
        // 64 kept frames and the fold frame, plus the root
        assertEquals(66, p.nodeCount());
        assertEquals(2L * depth, ProfileWriters.totals(p.root()).get(p.root()));
        String folded = ProfileWriters.collapsed(p.root());
        assertTrue(folded.contains(";[deeper frames] " + (2L * (depth - 64)) + "\n"), folded);
    }

    @Test
    void distinctStacksPastTheLimitFoldIntoOther() {
        FuelProfile p = new FuelProfile(FuelProfile.By.FUNCTION, 512, 100);
        // 10,000 distinct callees of the entry
        p.callEnter(0, 1);
        for (int f = 1; f <= 10_000; f++) {
            p.instr(0, 0, 0, 0);
            p.callEnter(f, 2);
            p.instr(f, 0, 0, 0);
            p.callExit(f, 2);
        }
        p.runEnd(null, false, 20_000);
        assertTrue(p.nodeCount() <= 2 * 100 + 1, "nodes " + p.nodeCount());
        assertEquals(20_000, ProfileWriters.totals(p.root()).get(p.root()));
        assertTrue(ProfileWriters.collapsed(p.root()).contains("func 0;[other] "));
        // and the SVG of it is bounded by the tree
        assertTrue(ProfileWriters.svg(p.root(), "t", "s").length() < 200 * 300);
    }

    @Test
    void namesAreEscapedForXml() {
        assertEquals("a&lt;b&gt;&amp;&quot;&apos;", ProfileWriters.xml("a<b>&\"'"));
    }
}
