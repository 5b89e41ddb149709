package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.hostile.HostilePrograms;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds on a run's work and memory that fuel alone does not give (issue 12, holes 3, 8 and
 * 10), on both tiers: the copy budget of wide calls and host calls, frame records counted against
 * the register limit, an {@code OutOfMemoryError} trapping exactly where it happened, and the
 * nesting limit of runs started from host functions.
 */
class RunBoundsTest {
    /** The copy budget with {@code fuel}: 16 units per fuel unit, plus 1 Mi (docs/SECURITY.md). */
    private static long budget(long fuel) {
        return 16 * fuel + (1 << 20);
    }

    /** A host whose {@link HostilePrograms#WIDE_SYMBOL} returns its arguments. */
    private static final Host ECHO = (symbol, hash, args, rets) -> symbol.equals(HostilePrograms.WIDE_SYMBOL)
            ? (in, out, ctx) -> System.arraycopy(in, 0, out, 0, in.length) : null;

    /**
     * 100-wide calls in a loop (each turn: call, ret, jmp; 200 values, 184 beyond the free 16): the
     * copy budget, not the fuel, ends the run, at the call of the first turn over it, with the same
     * fuel on both tiers. Without the budget it ran until the fuel was out.
     */
    @Test
    void wideCallsStopAtTheCopyBudget() {
        int n = 100;
        long fuel = 100_000;
        Tiers t = Tiers.of(HostilePrograms.wideCalls(n), Host.NONE);
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withFuel(fuel), "wide calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        assertTrue(o.trap().detail().contains("copy units"), o.trap().detail());
        long turns = budget(fuel) / (2 * n - 16); // turns that fit; the next one's call traps
        long setUp = n + 1;
        assertEquals(fuel - setUp - 3 * turns - 1, o.fuelRemaining(), o.toString());
        assertEquals("main", o.trap().funcName());
        assertEquals(List.of("main"), o.trap().stack().stream().map(Trap.Frame::name).toList());
    }

    /** The same through {@code call.indirect} of a func value. */
    @Test
    void wideIndirectCallsStopAtTheCopyBudget() {
        int n = 100;
        long fuel = 100_000;
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = Collections.nCopies(n, ValueType.I64);
        int main = pb.declareFunction(List.of(), List.of());
        int wide = pb.declareFunction(types, types);
        int sig = pb.callSig(types, types);
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
        }
        FunctionBuilder f = pb.function(main);
        FunctionBuilder.Label loop = f.newLabel();
        f.constI64(1, 7);
        for (int i = 2; i <= n; i++) {
            f.mov(i, 1);
        }
        f.constFunc(n + 1, wide).jmp(loop).place(loop).callIndirect(0, sig, n + 1, 0, regs, regs).jmp(loop);
        pb.function(wide).ret(0, regs);
        Tiers t = Tiers.of(pb.build(), Host.NONE);
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withFuel(fuel), "wide indirect calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        long turns = budget(fuel) / (2 * n - 16);
        assertEquals(fuel - (n + 2) - 3 * turns - 1, o.fuelRemaining(), o.toString());
    }

    /**
     * The same through {@code call.indirect} of a closure: its environment, passed first, is not
     * counted (it is not part of the call's lists).
     */
    @Test
    void wideClosureCallsStopAtTheCopyBudget() {
        int n = 100;
        long fuel = 100_000;
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = Collections.nCopies(n, ValueType.I64);
        List<ValueType> withEnv = new ArrayList<>(types);
        withEnv.add(0, ValueType.AGG);
        int main = pb.declareFunction(List.of(), List.of());
        int wide = pb.declareFunction(withEnv, types);
        int sig = pb.callSig(types, types);
        int[] regs = new int[n];
        int[] calleeRets = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
            calleeRets[i] = i + 2;
        }
        FunctionBuilder f = pb.function(main);
        FunctionBuilder.Label loop = f.newLabel();
        f.constI64(1, 7);
        for (int i = 2; i <= n; i++) {
            f.mov(i, 1);
        }
        f.tupleNew(n + 1).constFunc(n + 2, wide).closureNew(n + 3, n + 2, n + 1).jmp(loop);
        f.place(loop).callIndirect(0, sig, n + 3, 0, regs, regs).jmp(loop);
        pb.function(wide).ret(0, calleeRets);
        Tiers t = Tiers.of(pb.build(), Host.NONE);
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withFuel(fuel), "wide closure calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        long turns = budget(fuel) / (2 * n - 16);
        assertEquals(fuel - (n + 4) - 3 * turns - 1, o.fuelRemaining(), o.toString());
    }

    /**
     * 100-wide host calls (each turn: host_call, jmp; 200 values, 184 beyond the free 16, at 16
     * units each): the host call over the budget traps before the host runs, and is not counted.
     */
    @Test
    void wideHostCallsStopAtTheCopyBudget() {
        int n = 100;
        long fuel = 100_000;
        Tiers t = Tiers.of(HostilePrograms.wideHostCalls(n), ECHO);
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withFuel(fuel), "wide host calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        long calls = budget(fuel) / (16 * (2 * n - 16));
        assertEquals(calls, o.hostCalls(), o.toString());
        assertEquals(calls, t.compiledHost.fromCompiledCode, "the host calls came from compiled code");
        assertEquals(fuel - (n + 1) - 2 * calls - 1, o.fuelRemaining(), o.toString());
    }

    /** The widest calls the format allows: stopped by the copy budget under the default limits. */
    @Test
    void widestCallsStopAtTheCopyBudgetWithTheDefaultLimits() {
        int n = HostilePrograms.WIDE;
        Tiers t = Tiers.of(HostilePrograms.wideCalls(n), Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT, "65,535-wide calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        long turns = budget(Limits.DEFAULT_FUEL) / (2 * n - 16);
        assertEquals(Limits.DEFAULT_FUEL - (n + 1) - 3 * turns - 1, o.fuelRemaining(), o.toString());
    }

    /** Calls that move at most 16 values count nothing: only the fuel ends the loop. */
    @Test
    void narrowCallsNeverCount() {
        Tiers t = Tiers.of(HostilePrograms.wideCalls(8), Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(), Limits.DEFAULT.withFuel(2_000_000), "8-wide calls");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        assertEquals(0, o.fuelRemaining(), o.toString());
    }

    /** {@code f() = f()} with one register (r0): each frame takes 1 register and its record 2. */
    private static Program oneRegisterRecursion() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "f");
        f.call(0, 0, 0, new int[0], new int[0]).ret(0);
        f.regCount(1);
        return pb.build();
    }

    /**
     * Frame records count against the register limit: with one register a frame, the call from
     * frame d needs d + 1 registers plus 2 for each of d records, 3 * d + 1 in all, so a limit of
     * 3 * k + 1 lets it make frame k + 1 and traps at the call from there (without the records it
     * went on to 3 * k + 1 frames). Under the JIT's
     * nesting depth (compiled frames) and beyond it (handed over), the same on both tiers.
     */
    @Test
    void frameRecordsCountAgainstTheRegisterLimit() {
        Tiers t = Tiers.of(oneRegisterRecursion(), Host.NONE);
        for (int k : new int[] {30, 1000}) {
            Limits limits = Limits.DEFAULT.withMaxCallDepth(10_000_000).withMaxRegisters(3 * k + 1);
            Tiers.Outcome o = t.check(0, List.of(), limits, "one-register recursion, " + limits);
            assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o.toString());
            assertEquals(k + 1, o.trap().stack().size() + o.trap().elidedFrames(), o.toString());
            assertEquals(Limits.DEFAULT_FUEL - (k + 1), o.fuelRemaining(), o.toString());
        }
    }

    /** A sink that notes the run-end event. */
    private static final class RunEnd implements TraceSink {
        final List<String> events = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.RUN;
        }

        @Override
        public void runEnd(Program program, boolean trapped, long fuelUsed) {
            events.add("end " + trapped + " " + fuelUsed);
        }
    }

    /**
     * Run in a JVM with a 64 MiB heap by {@link #outOfMemoryTrapsExactlyOnBothTiers}: the string
     * doubling program with no heap limit, on one tier, printing how it ended and the trace's
     * run-end events.
     */
    public static void main(String[] args) {
        VerifiedProgram p = Tiers.verified(HostilePrograms.stringDoubling());
        Vm vm = args[0].equals("jit") ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
        if (args[0].equals("jit") && Jit.precompile(vm) != 1) {
            throw new AssertionError("not compiled");
        }
        RunEnd sink = new RunEnd();
        ExecutionContext ctx = new ExecutionContext();
        Limits limits = Limits.DEFAULT.withFuel(1_000_000).withMaxHeapBytes(Long.MAX_VALUE);
        try {
            vm.run(ctx, 0, List.of(), limits, sink);
            System.out.println("returned");
        } catch (Trap t) {
            System.out.println(t.label() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " ctx " + ctx.fuelRemaining()
                    + " frames " + t.stack().size() + " " + t.detail());
        }
        System.out.println(sink.events);
    }

    private static String child(String tier) throws Exception {
        return child(RunBoundsTest.class, tier);
    }

    /**
     * Runs {@code main}'s {@code main(tier)} in a child JVM of 64 MiB with the serial collector and
     * this class path, waiting at most 120 s.
     *
     * @return what it printed (standard output and error), trimmed
     */
    static String child(Class<?> main, String tier) throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process proc = new ProcessBuilder(java.toString(), "-Xms64m", "-Xmx64m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), main.getName(), tier)
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.append(line).append('\n');
            }
        }
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        return out.toString().trim();
    }

    /**
     * Doubling a string with no heap limit in a 64 MiB JVM: the concatenation the JVM cannot
     * allocate traps {@code heap_limit_exceeded} at its own pc with the fuel it used (odd: 2 set-up
     * instructions, 2 per doubling, then the trapping one), and the run-end event is emitted with
     * that fuel, the same on both tiers. (Before, the interpreter reported its fuel limit, the
     * compiled tier its block's fuel, and no run-end event was emitted.)
     */
    @Test
    void outOfMemoryTrapsExactlyOnBothTiers() throws Exception {
        String interpreted = child("interpret");
        String compiled = child("jit");
        assertEquals(interpreted, compiled, "the same outcome on both tiers");
        String[] lines = interpreted.split("\n");
        assertEquals(2, lines.length, interpreted);
        assertTrue(lines[0].startsWith("heap_limit_exceeded pc "), interpreted);
        assertTrue(lines[0].endsWith(" frames 1 the JVM ran out of memory"), interpreted);
        String[] words = lines[0].split(" ");
        long fuel = Long.parseLong(words[4]);
        assertEquals(fuel, Long.parseLong(words[6]), "the trap's fuel is the context's: " + interpreted);
        long used = 1_000_000 - fuel;
        assertEquals(1, used % 2, "2 + 2 per doubling + the trapping concatenation: " + interpreted);
        assertTrue(used > 2 * 20 && used < 2 * 30, "about 24 doublings fit 64 MiB: " + interpreted);
        assertEquals("[end true " + used + "]", lines[1], interpreted);
    }

    /** down(40) at each level: its compiled frames use most of the compiled tier's stack budget. */
    private static final long DOWN = 40;

    /**
     * A host function that starts the program again from inside its run, as deep as it can: on a
     * thread of {@code stackBytes}, the runs nest {@link Vm#MAX_RUN_NESTING} deep and the next one
     * traps {@code call_depth_exceeded} at once, whatever the thread and however warm the JVM.
     *
     * @return per level, how its nested run ended
     */
    private static List<String> nestAsDeepAsAllowed(boolean compiled, int stackBytes) throws Exception {
        List<String> seen = new ArrayList<>();
        Vm[] vm = new Vm[1];
        int[] level = {0};
        HostFunction nest = (a, out, ctx) -> {
            level[0]++;
            try {
                List<Value> r = vm[0].run(new ExecutionContext(), 0, List.of(Value.i64(DOWN)), Limits.DEFAULT, null);
                seen.add(level[0] + " " + r);
            } catch (Trap trap) {
                seen.add(level[0] + " " + trap.label() + " pc " + trap.pc() + " fuel " + trap.fuelRemaining());
            } finally {
                level[0]--;
            }
        };
        Host host = (symbol, hash, args, rets) -> nest;
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(JitCornerCasesTest.NEST));
        vm[0] = compiled ? Jit.compile(p, host) : new Vm(p, host);
        Object r = Tiers.onThread(stackBytes, () -> vm[0].run(new ExecutionContext(), 0, List.of(Value.i64(DOWN)),
                Limits.DEFAULT, null));
        assertEquals(List.of(Value.i64(DOWN)), r, "the outermost run returns");
        return seen;
    }

    /**
     * Nesting runs through host functions is bounded by a count, not by the Java stack: 64 runs
     * nest on a 1 MiB thread ({@link Vm#NESTED_RUN_STACK_BYTES} a level) and the 65th traps
     * {@code call_depth_exceeded} at pc 0 with no fuel used, every time, on both tiers and with
     * the JVM cold or warm. (Before, 600 levels on 1 MiB gave OK or 27 host_call_failed by JIT
     * warm-up.)
     */
    @Test
    void nestedRunsStopAtTheNestingLimit() throws Exception {
        int stack = Vm.MAX_RUN_NESTING * Vm.NESTED_RUN_STACK_BYTES;
        assertEquals(1 << 20, stack);
        List<String> first = null;
        for (int round = 0; round < 3; round++) {
            for (boolean compiled : new boolean[] {false, true}) {
                List<String> seen = nestAsDeepAsAllowed(compiled, stack);
                assertEquals(Vm.MAX_RUN_NESTING, seen.size(), seen.toString());
                // innermost first: the run that would be the 65th traps, every other returns
                assertEquals(Vm.MAX_RUN_NESTING + " call_depth_exceeded pc 0 fuel " + Limits.DEFAULT_FUEL, seen.get(0));
                for (int i = 1; i < seen.size(); i++) {
                    assertEquals((Vm.MAX_RUN_NESTING - i) + " " + List.of(Value.i64(DOWN)), seen.get(i));
                }
                if (first == null) {
                    first = seen;
                }
                assertEquals(first, seen, "the same outcome every time, " + (compiled ? "compiled" : "interpreted"));
            }
        }
    }
}
