package dev.tape.asm;

import dev.tape.program.Program;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Disassembler#name(String)}: the disassembler's spelling of a name, as the listing writes
 * it, its bound, and that the assembler reads it back.
 */
class DisassemblerNameTest {
    @Test
    void anIdentifierIsItselfAnythingElseIsQuoted() {
        String id = "fib.inner_2";
        assertSame(id, Disassembler.name(id));
        assertEquals("\"\"", Disassembler.name(""));
        assertEquals("\"2x\"", Disassembler.name("2x"));
        assertEquals("\".a\"", Disassembler.name(".a"));
        assertEquals("\"a b\"", Disassembler.name("a b"));
        assertEquals("\"q\\\"\\\\\"", Disassembler.name("q\"\\"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u001b\\u007f\\u202e\\u2028\"",
                Disassembler.name("\n\r\t\b\f\u001b\u007f\u202e\u2028"));
        assertEquals("\"caf\u00e9 \ud83d\ude00\"", Disassembler.name("caf\u00e9 \ud83d\ude00"));
        // an unpaired surrogate, either half
        assertEquals("\"\\ud83dx\"", Disassembler.name("\ud83dx"));
        assertEquals("\"x\\ude00\"", Disassembler.name("x\ude00"));
        assertThrows(NullPointerException.class, () -> Disassembler.name(null));
    }

    @Test
    void theSpellingIsAtMostSixCharsPerCharPlusTwo() {
        String worst = "\u0001".repeat(1000);
        String got = Disassembler.name(worst);
        assertEquals(6 * worst.length() + 2, got.length());
        assertEquals("\"" + "\\u0001".repeat(1000) + "\"", got);
    }

    @Test
    void theListingSpellsNamesSoAndTheAssemblerReadsThemBack() {
        Random r = new Random(20);
        // whole code points: a symbol is UTF-8, so it holds no unpaired surrogate
        String[] alphabet = {"a", "Z", "_", "9", ".", "\"", " ", "\\", "\n", "\u0000", "\u00e9", "\u202e", "\ud83d\ude00"};
        for (int k = 0; k < 200; k++) {
            StringBuilder b = new StringBuilder();
            for (int i = r.nextInt(6); i >= 0; i--) {
                b.append(alphabet[r.nextInt(alphabet.length)]);
            }
            String name = b.toString();
            String spelled = Disassembler.name(name);
            assertTrue(spelled.indexOf('\n') < 0, spelled);
            String src = "program p\nstruct @0 = { " + spelled + ": i64 }\n"
                    + "func main(a: i64) -> (i64) {\n    ret r0, [r1]\n}\n";
            Program p;
            try {
                p = Assembler.assemble(src, "n.tasm");
            } catch (AsmException e) {
                throw new AssertionError(spelled + ": " + e.getMessage(), e);
            }
            assertEquals(List.of(name), p.types().fieldNames(), spelled);
            // the listing spells the field name so
            assertTrue(Disassembler.disassemble(p).contains("struct @0 = { " + spelled + ": i64 }"), spelled);
        }
    }
}
