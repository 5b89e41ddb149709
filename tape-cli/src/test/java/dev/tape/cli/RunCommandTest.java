package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape run}: results, traps, hosts, entries, limits and tracing, end to end. */
class RunCommandTest {
    /** A program with names, a std host call, a call and a trap in a callee under a span. */
    static final String PROGRAM = """
            host print = "std.print_i64" (i64) -> ()

            func main(n: i64) -> (i64) {
                call r0, double, r0, [r1] -> [r2]
                host_call r0, print, r0, [r2] -> []
                ret r0, [r2]
            }

            func double(x: i64) -> (i64) {
                i64.add r2, r1, r1
                ret r0, [r2]
            }

            func divide(a: i64, b: i64) -> (i64) {
                .span 7
                i64.div r3, r1, r2
                ret r0, [r3]
            }

            func calls_divide(a: i64) -> (i64) {
                const.i64 r2, 0
                call r0, divide, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }

            func many(a: i64, b: f64, c: bool) -> (bool, f64, i64, str) {
                const.pool r4, str:"hé"
                ret r0, [r3, r2, r1, r4]
            }
            """;

    @TempDir
    Path tmp;

    private String program() throws IOException {
        Path p = tmp.resolve("prog.tasm");
        Files.writeString(p, PROGRAM);
        return p.toString();
    }

    @Test
    void printsReturnedValueOfABinaryProgram() {
        Cli.Result r = run("run", vector("fib_20.tape"), "--arg", "i64:20");
        assertEquals(0, r.code(), r.err());
        assertEquals("i64:6765\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void printsEachValueOnItsOwnLineAsALiteral() throws IOException {
        Cli.Result r = run("run", program(), "--entry", "many", "--arg", "i64:-3", "--arg", "f64:1.5",
                "--arg", "bool:true");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("bool:true", "f64:0x3ff8000000000000", "i64:-3", "str:\"hé\""), r.outLines());
    }

    @Test
    void runsTextAssemblyAndTheStdHostPrintsToStdout() throws IOException {
        Cli.Result r = run("run", program(), "--arg", "i64:21");
        assertEquals(0, r.code(), r.err());
        assertEquals("42\ni64:42\n", r.out(), "std.print_i64 prints first, then the result");
    }

    @Test
    void entryByIdOrName() throws IOException {
        assertEquals("i64:8\n", run("run", program(), "--entry", "1", "--arg", "i64:4").out());
        assertEquals("i64:8\n", run("run", program(), "--entry", "double", "--arg", "i64:4").out());
    }

    @Test
    void trapPrintsKindPlaceAndStackAndExits1() throws IOException {
        Cli.Result r = run("run", program(), "--entry", "calls_divide", "--arg", "i64:21");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals(List.of("trap: div_by_zero at 2 (divide) pc 0 span 7", "  at 2 (divide) pc 0 span 7",
                "  at 3 (calls_divide) pc 3 span none"), r.errLines());
    }

    @Test
    void trapInAnUnnamedFunctionOmitsTheName() {
        Cli.Result r = run("run", vector("trap_reports_span.tape"), "--arg", "i64:9");
        assertEquals(1, r.code());
        assertEquals(List.of("trap: div_by_zero at 0 pc 3 span 42", "  at 0 pc 3 span 42"), r.errLines());
    }

    @Test
    void limitsApply() {
        Cli.Result depth = run("run", vector("fib_20.tape"), "--arg", "i64:20", "--max-call-depth", "3");
        assertEquals(1, depth.code());
        assertEquals("trap: call_depth_exceeded at 0 pc 30 span none", depth.errLines().get(0));
        assertEquals(1 + 3, depth.errLines().size(), "the trap line and one line per frame");
        assertTrue(depth.errLines().subList(1, 4).stream().allMatch("  at 0 pc 30 span none"::equals), depth.err());

        Cli.Result fuel = run("run", vector("fuel_exact_loop.tape"), "--arg", "i64:10", "--fuel", "56");
        assertEquals(1, fuel.code());
        assertEquals("trap: fuel_exceeded at 0 pc 45 span none", fuel.errLines().get(0));
        assertEquals("i64:45\n", run("run", vector("fuel_exact_loop.tape"), "--arg", "i64:10", "--fuel", "57").out());

        Cli.Result hosts = run("run", vector("host_call_limit.tape"), "--arg", "i64:100", "--host", "test",
                "--max-host-calls", "50");
        assertEquals(1, hosts.code());
        assertEquals("trap: host_call_limit_exceeded at 0 pc 31 span none", hosts.errLines().get(0));
    }

    @Test
    void plainArgumentsTakeTheirTypeFromTheEntrySignature() throws IOException {
        assertEquals("i64:6765\n", run("run", vector("fib_20.tape"), "--arg", "20").out());
        assertEquals("i64:6765\n", run("run", vector("fib_20.tape"), "--arg", "i64:20").out());
        Path p = tmp.resolve("kinds.tasm");
        Files.writeString(p, """
                func echo(a: i64, b: u64, c: f64, d: bool, e: dec, f: bytes, g: str) -> (i64, u64, f64, bool, dec, bytes, str) {
                    ret r0, [r1, r2, r3, r4, r5, r6, r7]
                }
                """);
        Cli.Result r = run("run", p.toString(), "--arg", "-5", "--arg", "18446744073709551615", "--arg", "1.5",
                "--arg", "true", "--arg", "-1.50", "--arg", "00ff", "--arg", "i64:7 is text");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("i64:-5", "u64:18446744073709551615", "f64:0x3ff8000000000000", "bool:true", "dec:-1.50",
                "bytes:00ff", "str:\"i64:7 is text\""), r.outLines());
        // a literal still wins, and a str: literal is a literal
        r = run("run", p.toString(), "--arg", "i64:-5", "--arg", "u64:1", "--arg", "f64:0x0000000000000000",
                "--arg", "bool:false", "--arg", "dec:1", "--arg", "bytes:", "--arg", "str:\"a\\nb\"");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("i64:-5", "u64:1", "f64:0x0000000000000000", "bool:false", "dec:1", "bytes:",
                "str:\"a\\nb\""), r.outLines());
        String line = run("run", vector("fib_20.tape"), "--arg", "twenty").oneErrorLine(2);
        assertTrue(line.startsWith("tape run: --arg 'twenty' is not a value literal: not a literal, nor a plain i64"),
                line);
        assertEquals("tape run: argument 1 of function 0 must be i64, got u64:20",
                run("run", vector("fib_20.tape"), "--arg", "u64:20").oneErrorLine(2));
    }

    @Test
    void limitsTakeTheWholeUnsignedRange() {
        String max = "18446744073709551615";
        Cli.Result r = run("run", vector("fib_20.tape"), "--arg", "i64:20", "--fuel", max, "--max-call-depth", max,
                "--max-host-calls", max, "--trace", "run");
        assertEquals(0, r.code(), r.err());
        assertEquals("i64:6765\n", r.out());
        // 4294967301 frames used to be truncated to 5
        assertEquals("i64:1000\n", run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:1000",
                "--max-call-depth", "4294967301").out());
    }

    @Test
    void javaOnlyLimitsHaveOptions() {
        Cli.Result regs = run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:1000", "--max-registers", "100");
        assertEquals(1, regs.code(), regs.err());
        assertTrue(regs.errLines().get(0).startsWith("trap: heap_limit_exceeded at 0 "), regs.err());
        assertEquals("i64:1000\n", run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:1000",
                "--max-registers", "100000").out());
        Cli.Result heap = run("run", "../examples/strings.tasm", "--max-heap-bytes", "10");
        assertEquals(1, heap.code(), heap.err());
        assertTrue(heap.errLines().get(0).startsWith("trap: heap_limit_exceeded at "), heap.err());
        assertEquals(0, run("run", "../examples/strings.tasm", "--max-heap-bytes", "1000").code());
    }

    @Test
    void defaultLimitsAllowDeepRecursionUpTo1024Frames() {
        assertEquals("i64:1000\n", run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:1000").out());
        Cli.Result r = run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:10000");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("trap: call_depth_exceeded at 0 pc 30 span none\n"), r.err());
        // 1,024 frames: the first and last 16 are printed, with one line for the 992 between
        assertEquals(1 + 2 * TrapReport.STACK_EDGE + 1, r.errLines().size());
        assertEquals("  ... 992 frames elided", r.errLines().get(1 + TrapReport.STACK_EDGE));
    }

    @Test
    void testHostProvidesTheConformanceFunctions() {
        assertEquals("i64:42\n", run("run", vector("host_add.tape"), "--host", "test", "--arg", "i64:40",
                "--arg", "i64:2").out());
        Cli.Result std = run("run", vector("host_add.tape"), "--arg", "i64:40", "--arg", "i64:2");
        assertEquals(1, std.code(), "the std host has no test.add_i64");
        assertEquals("trap: host_call_failed at 0 pc 0 span none host test.add_i64: the host does not provide "
                + "test.add_i64", std.errLines().get(0));
    }

    @Test
    void stdHostPrintsEachType() throws IOException {
        Path p = tmp.resolve("print.tasm");
        Files.writeString(p, """
                host ps = "std.print_str" (str) -> ()
                host pi = "std.print_i64" (i64) -> ()
                host pu = "std.print_u64" (u64) -> ()
                host pf = "std.print_f64" (f64) -> ()
                host pb = "std.print_bool" (bool) -> ()

                func main(s: str, i: i64, u: u64, f: f64, b: bool) {
                    host_call r0, ps, r0, [r1] -> []
                    host_call r0, pi, r0, [r2] -> []
                    host_call r0, pu, r0, [r3] -> []
                    host_call r0, pf, r0, [r4] -> []
                    host_call r0, pb, r0, [r5] -> []
                    ret r0, []
                }
                """);
        Cli.Result r = run("run", p.toString(), "--arg", "str:\"héllo\\nworld\"", "--arg", "i64:-7",
                "--arg", "u64:18446744073709551615", "--arg", "f64:-0.25", "--arg", "bool:false");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("héllo", "world", "-7", "18446744073709551615", "-0.25", "false"), r.outLines());
    }

    @Test
    void traceWritesOneLinePerEventToStderr() throws IOException {
        Cli.Result r = run("run", program(), "--entry", "double", "--arg", "i64:4", "--trace", "run,call",
                "--trace", "instr");
        assertEquals(0, r.code());
        assertEquals("i64:8\n", r.out());
        assertEquals(List.of("trace run start entry 1 args 1", "trace call enter func 1 (double) depth 1",
                "trace instr func 1 (double) pc 0 span none i64.add", "trace instr func 1 (double) pc 4 span none ret",
                "trace call exit func 1 (double) depth 1", "trace run end ok fuel_used 2"), r.errLines());

        Cli.Result host = run("run", program(), "--arg", "i64:1", "--trace", "host");
        assertEquals("2\ni64:2\n", host.out());
        assertEquals(List.of("trace host enter std.print_i64 sig 0 from func 0 (main) pc 8",
                "trace host exit std.print_i64 sig 0"), host.errLines());
    }

    /** The same output, stderr and exit code in slices of any size as without, on both tiers. */
    @Test
    void slicedRunsPrintWhatUnslicedRunsPrint() throws IOException {
        String prog = program();
        List<List<String>> cases = List.of(
                List.of("--arg", "i64:21"),
                List.of("--entry", "calls_divide", "--arg", "i64:5"),
                List.of("--arg", "i64:21", "--fuel", "3"),
                List.of("--entry", "many", "--arg", "i64:-3", "--arg", "f64:1.5", "--arg", "bool:true"));
        for (List<String> c : cases) {
            for (String tier : new String[] {"jit", "interp"}) {
                List<String> base = new java.util.ArrayList<>(List.of("run", prog, "--tier", tier));
                base.addAll(c);
                Cli.Result plain = run(base.toArray(new String[0]));
                for (String n : new String[] {"1", "2", "3", "1000"}) {
                    List<String> sliced = new java.util.ArrayList<>(base);
                    sliced.addAll(List.of("--slice", n));
                    Cli.Result r = run(sliced.toArray(new String[0]));
                    assertEquals(plain, r, c + " " + tier + " --slice " + n);
                }
                List<String> timed = new java.util.ArrayList<>(base);
                timed.addAll(List.of("--timeout", "1m"));
                assertEquals(plain, run(timed.toArray(new String[0])), c + " " + tier + " --timeout 1m");
            }
        }
    }

    /** @return a program file whose one function loops for ever */
    private Path spin() throws IOException {
        Path p = tmp.resolve("spin.tasm");
        Files.writeString(p, """
                func spin() -> () {
                    jmp head
                head:
                    jmp head
                }
                """);
        return p;
    }

    @Test
    void aTimeoutStopsARunawayLoopWithExitCode3() throws IOException {
        Path p = spin();
        for (String tier : new String[] {"jit", "interp"}) {
            Cli.Result r = run("run", p.toString(), "--tier", tier, "--fuel", "18446744073709551615",
                    "--timeout", "100ms");
            assertEquals(3, r.code(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("timeout: the run was still going after 100ms, at 0 (spin) pc "), r.err());
        }
    }

    @Test
    void badSliceAndTimeoutOptionsAreUsageErrors() throws IOException {
        String prog = program();
        for (String[] bad : new String[][] {{"--slice", "0"}, {"--slice", "x"}, {"--timeout", "2"},
            {"--timeout", "0s"}, {"--timeout", "1h"}, {"--timeout", "-1s"}}) {
            Cli.Result r = run("run", prog, "--arg", "i64:1", bad[0], bad[1]);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("tape run: --"), r.err());
        }
    }

    /**
     * A timeout given with surrounding white space (a newline from a script's variable) is
     * accepted, and the timeout report stays one line: the user's text is not printed raw.
     */
    @Test
    void aTimeoutWithANewlineInItsTextStillReportsOneLine() throws IOException {
        Path p = spin();
        Cli.Result r = run("run", p.toString(), "--tier", "interp", "--fuel", "18446744073709551615",
                "--timeout", "100ms\n");
        assertEquals(3, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("timeout: the run was still going after 100ms, at 0 (spin) pc "), r.err());
    }
}
