package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scripted {@code tape debug} sessions on the examples, compared whole with transcripts written
 * from what each program must do: the pcs follow from the instruction encodings (const.i64 3
 * bytes, a three-register op 4, br 12, call with one argument and one result 8, jmp 6), which
 * {@code tape disasm}'s labels confirm (fib: L19, L23; sum_loop: L31, L45). FILE stands for the
 * example's path.
 */
class DebugCommandTest {
    @TempDir
    Path dir;

    static Path example(String name) {
        String root = System.getProperty("tape.root.dir");
        Path base = root != null ? Paths.get(root) : Paths.get("").toAbsolutePath().getParent();
        return base.resolve("examples").resolve(name);
    }

    /** Runs {@code tape debug FILE ARGS... -x SCRIPT} and checks stdout whole, and that stderr is empty. */
    private void transcript(String example, String script, String expected, String... args) throws IOException {
        Path file = example(example);
        Path commands = dir.resolve("script");
        Files.writeString(commands, script);
        String[] argv = new String[args.length + 4];
        argv[0] = "debug";
        argv[1] = file.toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        argv[args.length + 2] = "-x";
        argv[args.length + 3] = commands.toString();
        Cli.Result r = Cli.run(argv);
        assertEquals("", r.err());
        assertEquals(expected.replace("FILE", file.toString()), r.out());
        assertEquals(0, r.code());
    }

    @Test
    void fibBreakpointsStepsFramesAndBack() throws IOException {
        // fib(2): 5 instructions reach the first call (pc 30); fib(1) returns 1 by the small path;
        // fib(0) returns 0; the result is 1
        transcript("fib.tasm", String.join("\n",
                "break 14",
                "run",
                "print r5",
                "list",
                "step",
                "backtrace",
                "print n",
                "frame 1",
                "print n",
                "frame 0",
                "finish",
                "print r6",
                "next",
                "next",
                "print r8",
                "reverse-step",
                "backtrace",
                "reverse-continue",
                "fuel",
                "delete 1",
                "continue",
                "quit",
                "help"), String.join("\n",
                "(tape) break 14",
                "Breakpoint 1 at fib pc 30 (FILE:14)",
                "(tape) run",
                "Breakpoint 1, fib pc 30 (FILE:14)",
                "14  call r0, fib, r0, [r5] -> [r6]",
                "(tape) print r5",
                "r5 = i64:1",
                "(tape) list",
                "      19      ret r0, [r1]",
                "          L23:",
                "      23      const.i64 r4, 1",
                "      26      i64.sub r5, r1, r4",
                "=>    30      call r0, fib, r0, [r5] -> [r6]",
                "      38      i64.sub r7, r1, r2",
                "      42      call r0, fib, r0, [r7] -> [r8]",
                "      50      i64.add r9, r6, r8",
                "      54      ret r0, [r9]",
                "(tape) step",
                "fib pc 0 (FILE:6)",
                "6  const.i64 r2, 2",
                "(tape) backtrace",
                "#0  fib pc 0 (FILE:6)",
                "#1  fib pc 30 (FILE:14)",
                "(tape) print n",
                "r1 (n) = i64:1",
                "(tape) frame 1",
                "#1  fib pc 30 (FILE:14)",
                "14  call r0, fib, r0, [r5] -> [r6]",
                "(tape) print n",
                "r1 (n) = i64:2",
                "(tape) frame 0",
                "#0  fib pc 0 (FILE:6)",
                "6  const.i64 r2, 2",
                "(tape) finish",
                "Run till exit from #0  fib pc 0 (FILE:6)",
                "fib pc 38 (FILE:15)",
                "15  i64.sub r7, r1, r2              ; n - 2",
                "(tape) print r6",
                "r6 = i64:1",
                "(tape) next",
                "fib pc 42 (FILE:16)",
                "16  call r0, fib, r0, [r7] -> [r8]",
                "(tape) next",
                "fib pc 50 (FILE:17)",
                "17  i64.add r9, r6, r8",
                "(tape) print r8",
                "r8 = i64:0",
                "(tape) reverse-step",
                "fib pc 19 (FILE:10)",
                "10  ret r0, [r1]                    ; fib(0) = 0, fib(1) = 1",
                "(tape) backtrace",
                "#0  fib pc 19 (FILE:10)",
                "#1  fib pc 42 (FILE:16)",
                "(tape) reverse-continue",
                "Breakpoint 1, fib pc 30 (FILE:14)",
                "14  call r0, fib, r0, [r5] -> [r6]",
                "(tape) fuel",
                "instructions 5, fuel left 9999995 of 10000000, host calls 0",
                "(tape) delete 1",
                "Deleted breakpoint 1.",
                "(tape) continue",
                "Program returned i64:1",
                "(tape) quit",
                ""), "--arg", "i64:2");
    }

    @Test
    void sumLoopWatchpointsSpansAndLabels() throws IOException {
        // sum(3): total goes 0, 0 (+0), 1 (+1), 3 (+2); span 1 covers pcs 0-14, span 2 the rest
        transcript("sum_loop.tasm", String.join("\n",
                "break sum:body",
                "run",
                "watch r3",
                "delete 1",
                "continue",
                "continue",
                "reverse-continue",
                "print r2",
                "break span 2",
                "run",
                "list",
                "info breakpoints",
                "delete",
                "continue"), String.join("\n",
                "(tape) break sum:body",
                "Breakpoint 1 at sum pc 31 (FILE:17)",
                "(tape) run",
                "Breakpoint 1, sum pc 31 (FILE:17)",
                "17  i64.add r3, r3, r2              ; total += i",
                "(tape) watch r3",
                "Watchpoint 2: r3 of sum at call depth 1 = i64:0",
                "(tape) delete 1",
                "Deleted breakpoint 1.",
                "(tape) continue",
                "Watchpoint 2: r3 of sum at call depth 1",
                "Old value = i64:0",
                "New value = i64:1",
                "sum pc 35 (FILE:18)",
                "18  i64.add r2, r2, r4              ; i += 1",
                "(tape) continue",
                "Watchpoint 2: r3 of sum at call depth 1",
                "Old value = i64:1",
                "New value = i64:3",
                "sum pc 35 (FILE:18)",
                "18  i64.add r2, r2, r4              ; i += 1",
                "(tape) reverse-continue",
                "Watchpoint 2: r3 of sum at call depth 1",
                "Old value = i64:0",
                "New value = i64:1",
                "sum pc 35 (FILE:18)",
                "18  i64.add r2, r2, r4              ; i += 1",
                "(tape) print r2",
                "r2 = i64:1",
                "(tape) break span 2",
                "Breakpoint 3 at span 2",
                "(tape) run",
                "Breakpoint 3, sum pc 15 (FILE:14)",
                "14  i64.lt r5, r2, r1               ; i < n ?",
                "(tape) list",
                "       6      const.i64 r4, 1",
                "       9      jmp head",
                "          head::",
                "              .span 2",
                "=>    15      i64.lt r5, r2, r1",
                "      19      br r5, L31, L45",
                "          L31:",
                "      31      i64.add r3, r3, r2",
                "      35      i64.add r2, r2, r4",
                "(tape) info breakpoints",
                "2  watchpoint r3 of sum at call depth 1, hit 3 times",
                "3  breakpoint span 2, hit 1 time",
                "(tape) delete",
                "Deleted all breakpoints.",
                "(tape) continue",
                "Program returned i64:3",
                ""), "--arg", "3");
    }

    @Test
    void hostOutputIsPrintedOnceThoughTheRunGoesBack() throws IOException {
        transcript("hello_host.tasm", String.join("\n",
                "next",
                "run",
                "reverse-step",
                "reverse-step",
                "registers",
                "reverse-continue",
                "continue"), String.join("\n",
                "(tape) next",
                "error: The program is not being run.",
                "(tape) run",
                "6 * 7 =",
                "42",
                "Program returned no values",
                "(tape) reverse-step",
                "main pc 27 (FILE:16)",
                "16  ret r0, []",
                "(tape) reverse-step",
                "main pc 20 (FILE:15)",
                "15  host_call r0, print_i64, r0, [r4] -> []",
                "(tape) registers",
                "r0 unit = unit",
                "r1 str = str:\"6 * 7 =\"",
                "r2 i64 = i64:6",
                "r3 i64 = i64:7",
                "r4 i64 = i64:42",
                "(tape) reverse-continue",
                "No more reverse-execution history.",
                "main pc 0 (FILE:10)",
                "10  const.pool r1, str:\"6 * 7 =\"",
                "(tape) continue",
                "Program returned no values",
                ""));
    }

    @Test
    void aTrapEndsTheRunAndReverseStepGoesBackToIt() throws IOException {
        // fib(5) with 20 fuel: six instructions per level reach fib(2) at the 19th; its const and
        // i64.lt are the 19th and 20th, so its br (pc 7) has no fuel, four frames deep
        transcript("fib.tasm", String.join("\n",
                "run",
                "reverse-step",
                "backtrace",
                "print n",
                "fuel",
                "step"), String.join("\n",
                "(tape) run",
                "Program trapped: fuel_exceeded at fib pc 7 (FILE:8): the fuel budget of 20 is used up",
                "  at fib pc 7 (FILE:8)",
                "  at fib pc 30 (FILE:14)",
                "  at fib pc 30 (FILE:14)",
                "  at fib pc 30 (FILE:14)",
                "(tape) reverse-step",
                "fib pc 7 (FILE:8)",
                "8  br r3, small, big",
                "(tape) backtrace",
                "#0  fib pc 7 (FILE:8)",
                "#1  fib pc 30 (FILE:14)",
                "#2  fib pc 30 (FILE:14)",
                "#3  fib pc 30 (FILE:14)",
                "(tape) print n",
                "r1 (n) = i64:2",
                "(tape) fuel",
                "instructions 20, fuel left 0 of 20, host calls 0",
                "(tape) step",
                "Program trapped: fuel_exceeded at fib pc 7 (FILE:8): the fuel budget of 20 is used up",
                "  at fib pc 7 (FILE:8)",
                "  at fib pc 30 (FILE:14)",
                "  at fib pc 30 (FILE:14)",
                "  at fib pc 30 (FILE:14)",
                ""), "--arg", "i64:5", "--fuel", "20");
    }

    @Test
    void mistakesAreOneLineErrorsAndTheSessionGoesOn() throws IOException {
        transcript("fib.tasm", String.join("\n",
                "frobnicate",
                "break nowhere",
                "break fib:5",
                "break fib:nolabel",
                "break 999",
                "break span 0",
                "print r1",
                "break fib:big",
                "run",
                "print r99",
                "print x\u001b[31m",
                "frame 7",
                "step 0",
                "delete 42",
                "quit"), String.join("\n",
                "(tape) frobnicate",
                "error: Undefined command: \"frobnicate\".  Try \"help\".",
                "(tape) break nowhere",
                "error: Function or label \"nowhere\" not defined.",
                "(tape) break fib:5",
                "error: No instruction starts at pc 5 of fib.",
                "(tape) break fib:nolabel",
                "error: No label \"nolabel\" in fib.",
                "(tape) break 999",
                "error: No instruction at or after line 999 of FILE.",
                "(tape) break span 0",
                "error: A span id is a number from 1 to 18446744073709551615, not \"0\".",
                "(tape) print r1",
                "error: The program is not being run.",
                "(tape) break fib:big",
                "Breakpoint 1 at fib pc 23 (FILE:12)",
                "(tape) run",
                "Breakpoint 1, fib pc 23 (FILE:12)",
                "12  const.i64 r4, 1",
                "(tape) print r99",
                "error: No register r99 in fib (it has r0 to r9).",
                "(tape) print x\\u001b[31m",
                "error: No register named \"x\\u001b[31m\" in fib.",
                "(tape) frame 7",
                "error: No frame at level 7.",
                "(tape) step 0",
                "error: A step count is a number from 1 to 9223372036854775807, not \"0\".",
                "(tape) delete 42",
                "error: No breakpoint number 42.",
                "(tape) quit",
                ""), "--arg", "i64:4");
    }

    @Test
    void aBadProgramOrArgumentIsOneLineAndExit2() {
        Cli.Result r = Cli.run("debug", example("fib.tasm").toString(), "--arg", "str:\"x\"");
        assertEquals("tape debug: argument 1 of function 0 (fib) must be i64, got str:\"x\"", r.oneErrorLine(2));
        r = Cli.run("debug", example("fib.tasm").toString(), "--arg", "1", "--trace", "call");
        assertEquals("tape debug: --trace is not available while debugging", r.oneErrorLine(2));
    }
}
