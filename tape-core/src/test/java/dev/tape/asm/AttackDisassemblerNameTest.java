package dev.tape.asm;

import dev.tape.program.Program;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@link Disassembler#name(String)}: every code point, alone and between two letters,
 * spelled on one line within the stated bound and read back by the assembler to the same name
 * (as a struct field's name, where the assembler parses a name); names that look like numbers,
 * symbol ids, keywords or registers; and the unpaired surrogates no program name can hold, which
 * the assembler refuses (an {@link AsmException}, as the javadoc says), never another exception.
 */
class AttackDisassemblerNameTest {
    /** Assembles a struct whose fields are {@code names} and checks the names read back. */
    private static void roundTrip(List<String> names) {
        StringBuilder src = new StringBuilder("program p\nstruct @0 = {");
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            String spelled = Disassembler.name(n);
            assertTrue(spelled.length() <= Math.max(n.length(), 6 * n.length() + 2), spelled);
            assertTrue(spelled.chars().noneMatch(c -> c == '\n' || c == '\r' || c == 0x85 || c == 0x2028
                    || c == 0x2029), spelled);
            src.append(i == 0 ? " " : ", ").append(spelled).append(": i64");
        }
        src.append(" }\nfunc main(a: i64) -> (i64) {\n    ret r0, [r1]\n}\n");
        Program p;
        try {
            p = Assembler.assemble(src.toString(), "n.tasm");
        } catch (AsmException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        assertEquals(names, p.types().fieldNames());
    }

    @Test
    void everyCodePointAloneAndBetweenLettersReadsBack() {
        List<String> names = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += cp < 0x10000 ? 1 : 61) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            String c = Character.toString(cp);
            names.add(c);
            names.add("a" + c + "b");
            if (names.size() >= 4096) {
                roundTrip(names);
                names.clear();
            }
        }
        names.add(Character.toString(Character.MAX_CODE_POINT));
        roundTrip(names);
    }

    @Test
    void namesThatLookLikeOtherTokensReadBack() {
        roundTrip(List.of("", "0", "123", "-1", "0x10", "1e5", "$3", "#7", "@0", "i64", "r0", "r1", "struct",
                "func", "program", "host", "ret", "true", "false", "null", "_", "a..b", "a.", "a b", "\"",
                "\\", "\\u0041", "\\\"", "x:", "{", "}", ",", "::", "//", "#", ";", "é", "\ufeff", "\u00ad",
                "\u202e", "\ud83d\ude00"));
        assertEquals("\"$3\"", Disassembler.name("$3"));
        assertEquals("\"#7\"", Disassembler.name("#7"));
        assertEquals("\"123\"", Disassembler.name("123"));
    }

    @Test
    void anUnpairedSurrogateIsEscapedAndTheAssemblerRefusesIt() {
        for (String s : new String[] {"\ud800", "\udfff", "a\ud83d", "\ude00b", "\ude00\ud83d", "\ud83d\ud83d\ude00"}) {
            String spelled = Disassembler.name(s);
            assertTrue(spelled.length() <= 6 * s.length() + 2, spelled);
            assertTrue(spelled.chars().noneMatch(c -> Character.isSurrogate((char) c)) || spelled.contains("\ud83d\ude00"), spelled);
            String src = "program p\nstruct @0 = { " + spelled + ": i64 }\nfunc main(a: i64) -> (i64) {\n"
                    + "    ret r0, [r1]\n}\n";
            AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(src, "n.tasm"), spelled);
            assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
        }
    }
}
