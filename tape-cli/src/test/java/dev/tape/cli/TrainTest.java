package dev.tape.cli;

import dev.tape.testing.FibText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's training run ({@link Train}) runs every common command line in one JVM, so that
 * the archive or cache holds their classes; and an annotated command no longer looks up Groovy's
 * closure class ({@link TapeCli#DISABLE_CLOSURES}), which opened the jar in every cold one. Child
 * JVMs, bounded ({@link ChildJvm}).
 */
class TrainTest {
    @TempDir
    Path tmp;

    /** Runs {@code mainClass} in a child JVM ({@link ChildJvm}) that logs its class loads to {@code classes.txt}. */
    private ChildJvm.Result child(List<String> jvmOptions, Class<?> mainClass, String... args) throws Exception {
        return ChildJvm.in(tmp).options(jvmOptions)
                .options(List.of("-Xlog:class+load=info:file=" + tmp.resolve("classes.txt"))).run(mainClass, args);
    }

    /**
     * Every training command line runs and does its work: fib(20) three times (compiled, interpreted,
     * from the assembled {@code .tape}), the trap, the verifier's summary, the {@code .tape} written and
     * disassembled, its listing, the version and the help, and the printing program; the classes of
     * each command are loaded.
     */
    @Test
    void theTrainingRunRunsEveryCommonCommand() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FibText.FIB);
        Path bin = tmp.resolve("train.tape");
        ChildJvm.Result c = child(List.of(), Train.class, fib.toString(), bin.toString());
        assertEquals(0, c.status(), c.err());
        assertEquals(3, c.out().split("i64:6765\n", -1).length - 1, c.out());
        assertTrue(c.out().contains("ok: 1 function"), c.out());
        assertTrue(c.out().contains("\nfunc fib("), c.out());
        // inspect, --version, --help, and the printing program run last
        assertTrue(c.out().contains("\nUsage: tape ") || c.out().startsWith("Usage: tape "), c.out());
        assertTrue(c.out().contains("\ntape "), c.out());
        assertTrue(c.out().endsWith("6 * 7 =\n42\n"), c.out());
        assertTrue(c.err().startsWith("trap: fuel_exceeded") && !c.err().contains("tape: training"), c.err());
        assertTrue(c.err().startsWith("trap: fuel_exceeded"), c.err());
        assertTrue(Files.size(bin) > 0);
        String classes = Files.readString(tmp.resolve("classes.txt"));
        for (String cls : new String[] {"dev.tape.cli.RunCommand ", "dev.tape.cli.VerifyCommand ",
            "dev.tape.cli.AsmCommand ", "dev.tape.cli.DisasmCommand ", "dev.tape.cli.TrapReport ",
            "dev.tape.vm.Interpreter ", "dev.tape.program.ProgramDecoder ", "dev.tape.cli.InspectCommand ",
            "dev.tape.cli.StdHost ", "dev.tape.cli.ExitWatch "}) {
            assertTrue(classes.contains(cls), cls + " is not loaded");
        }
        ChildJvm.Result usage = child(List.of(), Train.class, fib.toString());
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("tape: usage: "), usage.err());
    }

    /**
     * Every other command-line path, each run cold in a JVM of its own, loads no class that the
     * training run does not, so none reads one from the jar or the runtime image where the archive
     * or cache was made by it: no argument, a version or help option alone or with more, an unknown
     * name, {@code completion bash} and each subcommand's help ({@code NAME --help}, every name of
     * {@link TapeCli#SUBCOMMANDS}). The lines are the launcher-test's, not {@link Train#LINES}: without
     * {@code completion bash} in the training, picocli's script generator is missing; without
     * {@code bench --help}, the JDK's field accessors that {@code resume}, {@code debug},
     * {@code bench}, {@code profile} and {@code replay --help} load (both checked). Hidden classes
     * (lambdas, method-handle forms), which have no name to look up, and annotations' proxy classes,
     * made at run time and numbered in the order made, are left out.
     */
    @Test
    void everyCommandLinePathLoadsOnlyTrainedClasses() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FibText.FIB);
        ChildJvm.Result c = child(List.of(), Train.class, fib.toString(), tmp.resolve("train.tape").toString());
        assertEquals(0, c.status(), c.err());
        Set<String> trained = loaded();
        assertTrue(trained.contains("dev.tape.cli.RunCommand"), "no class names read: " + trained.size());
        List<List<String>> lines = new ArrayList<>(List.of(List.of(), List.of("-V"), List.of("-h"),
                List.of("--help", "run"), List.of("--version", "run"), List.of("nope"), List.of("completion", "bash")));
        for (String name : TapeCli.SUBCOMMANDS) {
            lines.add(List.of(name, "--help"));
        }
        Map<List<String>, Set<String>> untrained = new LinkedHashMap<>();
        for (List<String> line : lines) {
            child(List.of(), TapeCli.class, line.toArray(new String[0]));
            Set<String> classes = loaded();
            assertTrue(classes.contains("dev.tape.cli.TapeCli"), line + ": no class names read");
            classes.removeAll(trained);
            if (!classes.isEmpty()) {
                untrained.put(line, classes);
            }
        }
        assertEquals(Map.of(), untrained);
    }

    /** The names of the classes the last child JVM logged loading, hidden ones and proxies left out. */
    private Set<String> loaded() throws Exception {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(tmp.resolve("classes.txt"))) {
            // [0.012s][info][class,load] java.lang.Object source: shared objects file
            int at = line.indexOf("] ", line.indexOf("class,load"));
            int end = line.indexOf(' ', at + 2);
            String name = at < 0 || end < 0 ? "" : line.substring(at + 2, end);
            if (!name.isEmpty() && name.indexOf('/') < 0 && !name.contains(".$Proxy")) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Fails without {@link TapeCli#DISABLE_CLOSURES}: picocli's trace then shows no such line, and its
     * default factory looks {@code groovy.lang.Closure} up on the class path.
     */
    @Test
    void anAnnotatedCommandLooksUpNoGroovyClosure() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FibText.FIB);
        ChildJvm.Result c = child(List.of("-Dpicocli.trace=INFO"), TapeCli.class, "verify", fib.toString());
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().startsWith("ok: 1 function"), c.out());
        assertTrue(c.err().contains("groovy Closures in annotations are disabled and will not be loaded"), c.err());
        // (the JVM's own start-up sets it from the command line: the command's answer is the same)
        ChildJvm.Result set = child(List.of("-Dpicocli.disable.closures=false"), TapeCli.class, "verify",
                fib.toString());
        assertEquals(0, set.status(), set.err());
        assertEquals(c.out(), set.out());
        assertFalse(set.err().contains("groovy"), set.err());
    }
}
