package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.format.Op;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link CallLoop} (twenty-third round): the choice of the calls handed to it is made when
 * the code image is made ({@link CodeImage#runEntries()}, from {@link LOp#callLoopTakes(int)}, a
 * table written by hand) while {@code CallLoop}'s word cases are generated ({@code spec/word-cases.txt});
 * a case added to or dropped from the generated region without the table would hand calls to a loop
 * that stops at once, or keep them from it. The table, and so the image's choice, must name exactly
 * the ops of {@code CallLoop}'s switch.
 */
class AttackCallTakesTest {
    private static TreeSet<Integer> callLoopCases() throws Exception {
        String src = Files.readString(Path.of("src/main/java/dev/tape/vm/CallLoop.java"));
        TreeSet<Integer> cases = new TreeSet<>();
        Matcher m = Pattern.compile("case ([^>]+) ->").matcher(src);
        while (m.find()) {
            for (String label : m.group(1).split(",")) {
                String[] qn = label.trim().split("\\.");
                Class<?> owner = qn[0].equals("Op") ? Op.class : LOp.class;
                assertEquals(2, qn.length, label);
                cases.add(owner.getField(qn[1]).getInt(null));
            }
        }
        return cases;
    }

    @Test
    void callTakesNamesExactlyTheOpsOfCallLoopsSwitch() throws Exception {
        TreeSet<Integer> cases = callLoopCases();
        TreeSet<Integer> takes = new TreeSet<>();
        for (int op = 0; op < 256; op++) {
            if (LOp.callLoopTakes(op)) {
                takes.add(op);
            }
        }
        assertEquals(15, cases.size(), "CallLoop's cases: " + cases);
        assertEquals(cases, takes);
    }

    /**
     * The image marks a callee exactly when it is a small leaf or CallLoop has a case for its first op,
     * as its call entry with bit 30 flipped.
     */
    @Test
    void theImageMarksExactlyTheCalleesCallLoopTakes() throws Exception {
        TreeSet<Integer> cases = callLoopCases();
        CodeImage image = CallLoopTest.program().image;
        int[] run = image.runEntries();
        int marked = 0;
        for (int f = 0; f < run.length; f++) {
            int first = image.code()[image.entry(f)];
            boolean hot = image.leafLength(f) != 0 || cases.contains(first);
            assertEquals(hot, CodeImage.isHot(run[f]), "function " + f + ", first op " + first);
            assertEquals(image.callEntries()[f], hot ? run[f] ^ CodeImage.HOT : run[f], "function " + f);
            assertEquals(image.entry(f), (run[f] ^ (run[f] >> 31)) & (CodeImage.HOT - 1), "function " + f);
            marked += hot ? 1 : 0;
        }
        // main (a call first), fib (a constant+compare+br first) and other (i64.mul first, a leaf) are marked
        assertEquals(3, run.length);
        assertEquals(3, marked);
        assertEquals(~image.entry(2) ^ CodeImage.HOT, run[2]);
        assertEquals(image.entry(1) | CodeImage.HOT, run[1]);
    }

    /** {@link CodeImage#isHot(int)} at the edges of the entries an image can hold, both signs. */
    @Test
    void isHotTellsBit30FromTheSign() {
        for (int e : new int[] {0, 1, 12345, CodeImage.HOT - 1}) {
            assertEquals(false, CodeImage.isHot(e), "entry " + e);
            assertEquals(false, CodeImage.isHot(~e), "leaf " + e);
            assertEquals(true, CodeImage.isHot(e | CodeImage.HOT), "marked " + e);
            assertEquals(true, CodeImage.isHot(~e ^ CodeImage.HOT), "marked leaf " + e);
        }
    }
}
