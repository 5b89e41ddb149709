package dev.tape.cli;

import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code tape verify}, {@code --trace call} and {@code tape disasm} over a program with thousands of
 * named functions, its names section in reverse order and naming some functions twice: every
 * function gets its first name (issue 12, hole 7; the lookups are indexed, so these commands are
 * linear in the number of names: the speed itself is measured outside the tests).
 */
class ManyNamesTest {
    static final int FUNCTIONS = 3000;

    @TempDir
    Path tmp;

    /** main calls every other function once; function i is named "f_i", then odd ones "dup_i". */
    private Path program() throws IOException {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < FUNCTIONS; i++) {
            pb.declareFunction(List.of(), List.of());
        }
        for (int i = 1; i < FUNCTIONS; i++) {
            pb.function(0).call(0, i, 0, new int[0], new int[0]);
            pb.function(i).ret(0);
        }
        pb.function(0).ret(0);
        List<Names.FunctionName> names = new ArrayList<>();
        for (int i = FUNCTIONS - 1; i >= 0; i--) {
            names.add(new Names.FunctionName(i, pb.symbol("f_" + i)));
        }
        for (int i = 1; i < FUNCTIONS; i += 2) {
            names.add(new Names.FunctionName(i, pb.symbol("dup_" + i)));
        }
        Program p = pb.build();
        Program named = new Program(p.symbols(), p.constants(), p.types(), p.functions(), p.hostSigs(), p.callSigs(),
                p.argShapes(), new Names(-1, names, List.of()));
        Path file = tmp.resolve("many.tape");
        Files.write(file, ProgramEncoder.encode(named));
        return file;
    }

    @Test
    void everyFunctionIsListedWithItsFirstName() throws IOException {
        Path file = program();
        Cli.Result r = run("verify", file.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals(FUNCTIONS + 1, lines.size());
        for (int i = 1; i < FUNCTIONS; i++) {
            assertEquals("  func " + i + " (f_" + i + "): () -> (), 1 instructions, 1 registers", lines.get(i + 1));
        }
        Cli.Result t = run("run", file.toString(), "--trace", "call", "--tier", "interp");
        assertEquals(0, t.code(), t.err());
        List<String> trace = t.errLines();
        assertEquals(2 * FUNCTIONS, trace.size());
        for (int i = 1; i < FUNCTIONS; i++) {
            assertEquals("trace call enter func " + i + " (f_" + i + ") depth 2", trace.get(2 * i - 1));
        }
    }

    @Test
    void disasmWritesEveryNameAndAssemblesBack() throws IOException {
        Path file = program();
        Cli.Result d = run("disasm", file.toString());
        assertEquals(0, d.code(), d.err());
        for (int i = 1; i < FUNCTIONS; i += 2) {
            // the first name heads the function, the second follows as .name
            String head = "func f_" + i + "() -> () {\n" + "    .name dup_" + i + "\n";
            assertEquals(true, d.out().contains(head), () -> "missing: " + head);
        }
        Path text = tmp.resolve("many.tasm");
        Files.writeString(text, d.out());
        Path again = tmp.resolve("again.tape");
        assertEquals(0, run("asm", text.toString(), "-o", again.toString()).code());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }
}
