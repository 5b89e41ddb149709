package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Mangled sources (the examples and the disassembly of random programs, with characters and
 * tokens deleted, inserted, swapped and cut off) either assemble or fail with an
 * {@link AsmException} at a real place in the text; nothing else escapes, and the internal-error
 * safety net never fires.
 */
class AssemblerFuzzTest {
    private static final String[] TOKENS = {"r", "r1", "r4294967296", "@", "@0", "@99", "$", "$0", "$9", "\"",
        "\\u", "\\", ",", "[", "]", "(", ")", "{", "}", "->", "-", ":", "::", "/", "/0", "/11", "=", ";", "#", "\n",
        " ", "\t", ".", ".span", ".label", ".bytes", ".name", "func", "struct", "host", "shape", "arg", "tuple(",
        "obj<", ">", "i64:", "str:", "bytes:", "dec:", "f64:", "0x", "0x8000000000000000", "18446744073709551616",
        "-9223372036854775809", "nan", "inf", "1e999", "_", "é", "\u2028", "\r", "at", "delta", "regs", "hash",
        "symbols {", "program", "unit", "bool:", "call", "ret r0, []", "jmp", "L0", "\u0000"};

    private static List<String> corpus(Random r) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path f : ExamplesTest.examples()) {
            out.add(Files.readString(f, StandardCharsets.UTF_8));
        }
        out.add(Disassembler.disassemble(RandomProgramRoundTripTest.generate(r)));
        return out;
    }

    private static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(8)));
                case 1 -> b.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> b.setLength(at);
                case 3 -> {
                    if (b.length() > 0) {
                        b.setCharAt(Math.min(at, b.length() - 1), (char) (32 + r.nextInt(95)));
                    }
                }
                default -> {
                    int end = Math.min(b.length(), at + r.nextInt(40));
                    b.insert(Math.min(b.length(), r.nextInt(b.length() + 1)), b.substring(at, end));
                }
            }
        }
        return b.toString();
    }

    @Property(tries = 3000)
    void mangledSourcesFailOnlyWithAsmException(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        List<String> corpus = corpus(r);
        String src = mutate(corpus.get(r.nextInt(corpus.size())), r);
        try {
            Assembler.assemble(src, "fuzz.tasm");
        } catch (AsmException e) {
            assertFalse(e.getMessage().contains("internal assembler error"), () -> e.getMessage() + "\n" + src);
            long lines = src.chars().filter(c -> c == '\n').count() + 1;
            assertTrue(e.line() >= 1 && e.line() <= lines, () -> "line " + e.line() + " of " + lines);
            assertTrue(e.column() >= 1, () -> "column " + e.column());
        }
    }
}
