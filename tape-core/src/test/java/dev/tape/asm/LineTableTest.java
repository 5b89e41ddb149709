package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.program.Program;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The assembler's line table: source line to (function, pc) and back, and labels. */
class LineTableTest {
    // line numbers are written beside each line; pcs come from decoding the assembled code
    private static final String SOURCE = String.join("\n",
            "; two functions",                        // 1
            "program lines",                          // 2
            "",                                       // 3
            "func main(n: i64) -> (i64) {",           // 4
            "    const.i64 r2, 1",                    // 5
            "loop:",                                  // 6
            "    ; a comment line",                   // 7
            "    call r0, twice, r0, [r1] -> [r3]",   // 8
            "    ret r0, [r3]",                       // 9
            "}",                                      // 10
            "",                                       // 11
            "func twice(x: i64) -> (i64) {",          // 12
            "    i64.add r2, r1, r1",                 // 13
            "done:",                                  // 14
            "    ret r0, [r2]",                       // 15
            "}",                                      // 16
            "");

    private static List<Integer> pcs(Program p, int func) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (Instruction i : InstructionCodec.decodeAll(p.functions().get(func).code())) {
            out.add(i.pc());
        }
        return out;
    }

    @Test
    void linesMapToInstructionsAndBack() throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(SOURCE, "lines.tasm");
        LineTable t = a.lines();
        List<Integer> main = pcs(a.program(), 0);
        List<Integer> twice = pcs(a.program(), 1);
        assertEquals(3, main.size());
        assertEquals(2, twice.size());
        assertEquals(List.of(new LineTable.Entry(5, 0, main.get(0)), new LineTable.Entry(8, 0, main.get(1)),
                new LineTable.Entry(9, 0, main.get(2)), new LineTable.Entry(13, 1, twice.get(0)),
                new LineTable.Entry(15, 1, twice.get(1))), t.entries());
        assertEquals(0, main.get(0));
        assertEquals(8, t.lineOf(0, main.get(1)));
        assertEquals(15, t.lineOf(1, twice.get(1)));
        assertEquals(-1, t.lineOf(0, main.get(1) + 1), "not the start of an instruction");
        assertEquals(-1, t.lineOf(2, 0), "no function 2");
        assertEquals(4, t.functionLine(0));
        assertEquals(12, t.functionLine(1));
        assertEquals(-1, t.functionLine(2));
    }

    @Test
    void aLineWithoutCodeMovesToTheNextInstruction() throws Exception {
        LineTable t = Assembler.assembleWithLines(SOURCE, "lines.tasm").lines();
        assertEquals(5, t.atOrAfter(1).line(), "before the first function");
        assertEquals(5, t.atOrAfter(5).line());
        assertEquals(8, t.atOrAfter(6).line(), "a label line");
        assertEquals(8, t.atOrAfter(7).line(), "a comment line");
        assertEquals(13, t.atOrAfter(10).line(), "the next function's first instruction");
        assertEquals(1, t.atOrAfter(10).func());
        assertNull(t.atOrAfter(16), "nothing after the last instruction");
    }

    @Test
    void labelsKeepTheirFunctionPcAndLine() throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(SOURCE, "lines.tasm");
        LineTable t = a.lines();
        List<Integer> main = pcs(a.program(), 0);
        List<Integer> twice = pcs(a.program(), 1);
        LineTable.Label loop = t.label(0, "loop");
        assertNotNull(loop);
        assertEquals(new LineTable.Label(0, "loop", main.get(1), 6), loop);
        assertEquals(new LineTable.Label(1, "done", twice.get(1), 14), t.label(1, "done"));
        assertNull(t.label(1, "loop"), "labels belong to their function");
        assertEquals(List.of(loop), t.labelsAt(0, main.get(1)));
        assertTrue(t.labelsAt(0, 0).isEmpty());
        assertEquals(2, t.labels().size());
    }

    @Test
    void assembleGivesTheSameProgram() throws Exception {
        assertEquals(Assembler.assemble(SOURCE, "x"), Assembler.assembleWithLines(SOURCE, "x").program());
    }

    /** In every example, each entry's line starts with the mnemonic of the instruction at its pc. */
    @Test
    void everyExampleLineNamesItsInstruction() throws Exception {
        int checked = 0;
        for (Path f : ExamplesTest.examples()) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            String[] lines = text.split("\n", -1);
            Assembler.Assembled a = Assembler.assembleWithLines(text, f.toString());
            int instructions = 0;
            for (int fn = 0; fn < a.program().functions().size(); fn++) {
                for (Instruction i : InstructionCodec.decodeAll(a.program().functions().get(fn).code())) {
                    instructions++;
                    int line = a.lines().lineOf(fn, i.pc());
                    assertTrue(line > 0, f + ": no line for function " + fn + " pc " + i.pc());
                    String src = lines[line - 1].strip();
                    int colon = src.indexOf(':');
                    if (colon > 0 && src.substring(0, colon).matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                        src = src.substring(colon + 1).strip(); // "label: instr" on one line
                    }
                    assertTrue(src.startsWith(i.opcode().mnemonic() + " ") || src.equals(i.opcode().mnemonic()),
                            f + ":" + line + ": '" + src + "' is not " + i.opcode().mnemonic());
                    checked++;
                }
            }
            assertEquals(instructions, a.lines().entries().size(), f.toString());
        }
        assertTrue(checked > 50, "checked " + checked);
    }
}
