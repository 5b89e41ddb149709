package dev.tape.cli;

import dev.tape.testing.FibText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's training run ({@link Train}) runs every common command line in one JVM, so that
 * the archive or cache holds their classes; and an annotated command no longer looks up Groovy's
 * closure class ({@link TapeCli#DISABLE_CLOSURES}), which opened the jar in every cold one. Child
 * JVMs, bounded at 120 s.
 */
class TrainTest {
    @TempDir
    Path tmp;

    /** What a child JVM did. */
    record Child(int status, String out, String err) {}

    private Child child(List<String> jvmOptions, String mainClass, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Xlog:class+load=info:file=" + tmp.resolve("classes.txt"), "-cp",
                System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        p.getOutputStream().close();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        } finally {
            p.destroyForcibly();
            p.waitFor(120, TimeUnit.SECONDS);
        }
        return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Every training command line runs and does its work: fib(20) three times (compiled, interpreted,
     * from the assembled {@code .tape}), the trap, the verifier's summary, the {@code .tape} written and
     * disassembled; the classes of each command are loaded.
     */
    @Test
    void theTrainingRunRunsEveryCommonCommand() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FibText.FIB);
        Path bin = tmp.resolve("train.tape");
        Child c = child(List.of(), Train.class.getName(), fib.toString(), bin.toString());
        assertEquals(0, c.status(), c.err());
        assertEquals(3, c.out().split("i64:6765\n", -1).length - 1, c.out());
        assertTrue(c.out().contains("ok: 1 function"), c.out());
        assertTrue(c.out().contains("\nfunc fib("), c.out());
        assertTrue(c.err().startsWith("trap: fuel_exceeded"), c.err());
        assertTrue(Files.size(bin) > 0);
        String classes = Files.readString(tmp.resolve("classes.txt"));
        for (String cls : new String[] {"dev.tape.cli.RunCommand ", "dev.tape.cli.VerifyCommand ",
            "dev.tape.cli.AsmCommand ", "dev.tape.cli.DisasmCommand ", "dev.tape.cli.TrapReport ",
            "dev.tape.vm.Interpreter ", "dev.tape.program.ProgramDecoder "}) {
            assertTrue(classes.contains(cls), cls + " is not loaded");
        }
        Child usage = child(List.of(), Train.class.getName(), fib.toString());
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("tape: usage: "), usage.err());
    }

    /**
     * Fails without {@link TapeCli#DISABLE_CLOSURES}: picocli's trace then shows no such line, and its
     * default factory looks {@code groovy.lang.Closure} up on the class path.
     */
    @Test
    void anAnnotatedCommandLooksUpNoGroovyClosure() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FibText.FIB);
        Child c = child(List.of("-Dpicocli.trace=INFO"), TapeCli.class.getName(), "verify", fib.toString());
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().startsWith("ok: 1 function"), c.out());
        assertTrue(c.err().contains("groovy Closures in annotations are disabled and will not be loaded"), c.err());
        // (the JVM's own start-up sets it from the command line: the command's answer is the same)
        Child set = child(List.of("-Dpicocli.disable.closures=false"), TapeCli.class.getName(), "verify",
                fib.toString());
        assertEquals(0, set.status(), set.err());
        assertEquals(c.out(), set.out());
        assertFalse(set.err().contains("groovy"), set.err());
    }
}
