package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.asm.Assembler;
import dev.tape.asm.LineTable;
import dev.tape.host.Host;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Labels of a binary program, from its names section (indexed once by name): a bare label, a
 * function's label, a label in several functions, and one nowhere.
 */
class LocatorTest {
    private static final String SOURCE = String.join("\n",
            "program labels",
            "func a() -> () {",
            "    jmp x",
            "x::",
            "    jmp y",
            "y::",
            "    ret r0, []",
            "}",
            "func b() -> () {",
            "    jmp x",
            "x::",
            "    ret r0, []",
            "}",
            "");

    @Test
    void namesSectionLabelsResolveByFunctionAndAlone() throws Exception {
        // a binary program: no source text, no line table, only the names section
        Target t = new Target(Verifier.verify(Assembler.assemble(SOURCE, "labels.tasm")), "labels.tape", null,
                LineTable.EMPTY, 0, List.of(), Limits.DEFAULT, Host.NONE);
        Locator l = new Locator(t);
        // each jmp takes 6 bytes: a's x at 6, y at 12; b's x at 6 (as tape debug of the .tape file says)
        assertEquals(new Locator.Place(0, 12, 0), l.resolve("y"));
        assertEquals(new Locator.Place(0, 6, 0), l.resolve("a:x"));
        assertEquals(new Locator.Place(1, 6, 0), l.resolve("b:x"));
        assertEquals("Label \"x\" is in 2 functions; say which with FUNCTION:x.",
                assertThrows(DebugException.class, () -> l.resolve("x")).getMessage());
        assertEquals("No label \"y\" in b.", assertThrows(DebugException.class, () -> l.resolve("b:y")).getMessage());
        assertEquals("Function or label \"nosuch\" not defined.",
                assertThrows(DebugException.class, () -> l.resolve("nosuch")).getMessage());
    }
}
