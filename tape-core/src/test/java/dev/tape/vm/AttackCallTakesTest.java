package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link CallLoop} (twenty-third round): {@link Interpreter#CALL_TAKES} is written by hand
 * while {@code CallLoop}'s word cases are generated ({@code spec/word-cases.txt}); a case added to or
 * dropped from the generated region without the table would hand calls to a loop that stops at
 * once, or keep them from it. The table must name exactly the ops of {@code CallLoop}'s switch.
 */
class AttackCallTakesTest {
    @Test
    void callTakesNamesExactlyTheOpsOfCallLoopsSwitch() throws Exception {
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
        TreeSet<Integer> takes = new TreeSet<>();
        for (int op = 0; op < Interpreter.CALL_TAKES.length; op++) {
            if (Interpreter.CALL_TAKES[op]) {
                takes.add(op);
            }
        }
        assertEquals(15, cases.size(), "CallLoop's cases: " + cases);
        assertEquals(cases, takes);
    }
}
