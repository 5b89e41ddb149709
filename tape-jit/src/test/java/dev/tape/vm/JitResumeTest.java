package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzChecks;
import dev.tape.fuzz.FuzzHost;
import dev.tape.gen.ValidPrograms;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled re-entry ({@link CompiledTier#resume}): a run stopped at any point (an interpreter
 * budget, a compiled hand-over for short fuel, a host suspension), stepped by
 * the interpreter to a resume point and resumed compiled, ends exactly as the one-shot run on the
 * interpreter does: results, or the trap in every detail, fuel left, host calls and heap bytes, and
 * the host calls as the host saw them. Driven by {@link Resumer}.
 */
class JitResumeTest {
    static Program asm(String text) {
        try {
            return Assembler.assemble(text, "resume.tasm");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * For every stop point 0..used (interpreted instructions before the first pause), and a
     * compiled start, with and without fuel slices: the resumed run ends as the one-shot run.
     *
     * @return the resumes made in all
     */
    static long sweep(Tiers t, int entry, List<Value> args, Limits limits, String what) {
        Tiers.Outcome one = t.interpret(entry, args, limits);
        long used = one.used(limits);
        long resumes = 0;
        for (long stop = -1; stop <= Math.min(used + 2, 3_000); stop++) {
            for (long slice : new long[] {0, 7}) {
                Resumer d = new Resumer(t.compiled, stop * 31 + slice, slice);
                Tiers.Outcome o = d.run(t.compiledHost, entry, args, limits, stop);
                long s = stop;
                Tiers.assertSame("one-shot", one, "resumed", o, () -> what + " stop " + s + " slice " + slice);
                resumes += d.resumes;
            }
        }
        return resumes;
    }

    /**
     * A loop paused mid-way (after 5,000 interpreted instructions of 400,006) and resumed runs the
     * rest compiled: the one resume ends the run, the interpreter ran only the 5,000 plus the few
     * instructions to the resume point, and the result and fuel are the one-shot run's.
     */
    @Test
    void aLoopResumedMidwayRunsCompiled() {
        Tiers t = Tiers.of(asm(RunTest.SUM), new HostRegistry());
        List<Value> args = List.of(Value.i64(100_000));
        Tiers.Outcome one = t.interpret(0, args, Limits.DEFAULT);
        Resumer d = new Resumer(t.compiled, 1, 0);
        Tiers.Outcome o = d.run(null, 0, args, Limits.DEFAULT, 5_000);
        Tiers.assertSame(one, o, () -> "sum(100000)");
        assertEquals(List.of(Value.i64(4_999_950_000L)), o.results());
        assertEquals(1, d.resumes);
        assertEquals(1, d.tier.resumed.get());
        assertTrue(d.interpreted >= 5_000 && d.interpreted <= 5_004, () -> "interpreted " + d.interpreted);
        assertTrue(one.used(Limits.DEFAULT) > 400_000);
    }

    @Test
    void aLoopResumedAtEveryPoint() {
        Tiers t = Tiers.of(asm(RunTest.SUM), new HostRegistry());
        assertTrue(sweep(t, 0, List.of(Value.i64(20)), Limits.DEFAULT, "sum(20)") > 0);
        sweep(t, 0, List.of(Value.i64(20)), Limits.DEFAULT.withFuel(50), "sum(20), fuel 50");
    }

    /**
     * fib paused deep in its recursion: the resumed frame returns into frame records, which the
     * driver resumes compiled after their calls, one by one.
     */
    @Test
    void fibResumedInsideTheRecursion() {
        Tiers t = Tiers.of(asm(SnapshotPrograms.FIB), new HostRegistry());
        List<Value> args = List.of(Value.i64(15));
        Tiers.Outcome one = t.interpret(0, args, Limits.DEFAULT);
        for (long stop : new long[] {50, 333, 1_000, 7_777}) {
            Resumer d = new Resumer(t.compiled, stop, 0);
            long before = d.tier.resumed.get();
            Tiers.Outcome o = d.run(null, 0, args, Limits.DEFAULT, stop);
            Tiers.assertSame(one, o, () -> "fib(15) stop " + stop);
            assertEquals(List.of(Value.i64(610)), o.results());
            // paused inside the recursion: the paused frame, then each caller record above it,
            // each a compiled entry, in one resume
            assertEquals(1, d.resumes);
            long entries = d.tier.resumed.get() - before;
            assertTrue(entries > 1, () -> "compiled entries " + entries);
        }
        sweep(t, 0, List.of(Value.i64(7)), Limits.DEFAULT, "fib(7)");
        sweep(t, 0, List.of(Value.i64(7)), Limits.DEFAULT.withMaxCallDepth(4), "fib(7) depth 4");
    }

    static final String MULTI = """
            program multi
            func main(n: i64) -> (i64, str, bool, agg) {
                const.pool r2, str:"ab"
                call r0, pair, r0, [r1, r2] -> [r3, r4, r5, r6]
                call r0, pair, r0, [r3, r4] -> [r7, r8, r9, r10]
                ret r0, [r7, r8, r9, r10]
            }
            func pair(x: i64, s: str) -> (i64, str, bool, agg) {
                const.i64 r3, 3
                i64.mul r4, r1, r3
                str.concat r5, r2, r2
                const.i64 r6, 100
                i64.lt r7, r4, r6
                tuple.new r8, [r4, r7]
                ret r0, [r4, r5, r7, r8]
            }
            """;

    /** Multi-value results with references (str, agg) come back through the driver's return. */
    @Test
    void multiValueAndReferenceResults() {
        Tiers t = Tiers.of(asm(MULTI), new HostRegistry());
        Tiers.Outcome one = t.interpret(0, List.of(Value.i64(5)), Limits.DEFAULT);
        assertFalse(one.trapped(), one::toString);
        assertEquals(List.of("i64:45", "str:\"abababab\""), one.literals().subList(0, 2));
        sweep(t, 0, List.of(Value.i64(5)), Limits.DEFAULT, "multi");
    }

    static final String CLOSURES = """
            program closures
            callsig unary = (i64) -> (i64)
            func main(x: i64) -> (result: i64) {
                const.func r2, square
                call.indirect r0, unary, r2, r0, [r1] -> [r3]
                const.func r4, add_env
                const.i64 r5, 100
                tuple.new r6, [r5]
                closure.new r7, r4, r6
                call.indirect r0, unary, r7, r0, [r3] -> [r8]
                ret r0, [r8]
            }
            func square(x: i64) -> (i64) {
                i64.mul r2, r1, r1
                ret r0, [r2]
            }
            func add_env(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                ret r0, [r4]
            }
            """;

    @Test
    void closuresAndIndirectCalls() {
        Tiers t = Tiers.of(asm(CLOSURES), new HostRegistry());
        assertEquals(List.of(Value.i64(125)), t.interpret(0, List.of(Value.i64(5)), Limits.DEFAULT).results());
        sweep(t, 0, List.of(Value.i64(5)), Limits.DEFAULT, "closures");
    }

    static final String HOSTS = """
            program hosts
            host twice = "t.twice" (i64) -> (i64, str)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r7, 0
                jmp head
            head:
                i64.lt r4, r2, r1
                br r4, body, done
            body:
                host_call r0, twice, r0, [r2] -> [r5, r6]
                i64.add r2, r2, r3
                i64.add r7, r7, r5
                jmp head
            done:
                ret r0, [r7]
            }
            """;

    /** t.twice(x) = (2x, "x"), charging x extra fuel. */
    static Host twiceHost(ExecutionContext[] suspend) {
        return new HostRegistry().register("t.twice", Signature.of(List.of(ValueType.I64),
                List.of(ValueType.I64, ValueType.STR)), (HostFunction) (a, out, ctx) -> {
                    long x = ((Value.I64) a[0]).value();
                    ctx.chargeFuel(x);
                    out[0] = Value.i64(2 * x);
                    out[1] = Value.str("x");
                    if (suspend != null && suspend[0] != null && x % 2 == 1) {
                        suspend[0].hostSuspended = true;
                    }
                });
    }

    @Test
    void hostCalls() {
        Tiers t = Tiers.of(asm(HOSTS), twiceHost(null));
        assertEquals(List.of(Value.i64(90)), t.interpret(0, List.of(Value.i64(10)), Limits.DEFAULT).results());
        sweep(t, 0, List.of(Value.i64(10)), Limits.DEFAULT, "hosts");
        sweep(t, 0, List.of(Value.i64(10)), Limits.DEFAULT.withFuel(60), "hosts, fuel 60");
        sweep(t, 0, List.of(Value.i64(10)), Limits.DEFAULT.withMaxHostCalls(4), "hosts, 4 host calls");
    }

    /**
     * A host function that asks to suspend (sets {@code hostSuspended}, as {@code Calls}' host
     * path will): compiled code hands over at the host_call itself, with its fuel, extra charge
     * and count taken and its results not stored. Storing the results and moving past it (what
     * resuming a suspended run does), then resuming compiled, ends as the one-shot run.
     */
    @Test
    void compiledHostSuspension() {
        ExecutionContext[] ctx = new ExecutionContext[1];
        VerifiedProgram vp = Tiers.verified(asm(HOSTS));
        Vm vm = Jit.compile(vp, twiceHost(ctx));
        List<Value> args = List.of(Value.i64(10));
        Tiers.Outcome one = Tiers.of(vp, twiceHost(null)).interpret(0, args, Limits.DEFAULT);
        ExecutionContext c = new ExecutionContext();
        ctx[0] = c;
        c.reset(Limits.DEFAULT, null, 0);
        c.ensureRegisters(vm.funcs[0].regCount());
        c.w[1] = 10;
        c.depth = 1;
        int status = vm.tier.run(vm, c, 0);
        int suspensions = 0;
        int[] code = vm.funcs[0].code();
        while (status == CompiledTier.HANDOVER) {
            assertTrue(c.hostSuspended);
            assertEquals(dev.tape.format.Op.HOST_CALL, code[c.ip], "ip at the host_call");
            suspensions++;
            // what resuming with results does: store them, move past the host_call
            long x = c.w[c.base + 2];
            int at = c.ip + 3 + code[c.ip + 2];
            c.w[c.base + code[at + 1]] = 2 * x;
            c.r[c.base + code[at + 2]] = Value.str("x");
            c.ip = at + 1 + code[at];
            c.hostSuspended = false;
            // inside the loop body: the interpreter runs on to the loop header
            while (!vm.tier.resumable(c.func, c.ip)) {
                assertEquals(Interpreter.OUT_OF_FUEL, Interpreter.execute(vm, c, vm.tier.toResumePoint(c.func, c.ip)));
            }
            status = vm.tier.resume(vm, c);
        }
        assertEquals(Interpreter.DONE, status);
        assertEquals(5, suspensions);
        int n = code[c.ip + 1];
        assertEquals(1, n);
        assertEquals(90, c.w[code[c.ip + 2] >>> 2]);
        assertEquals(one.fuelRemaining(), c.fuelRemaining());
        assertEquals(one.hostCalls(), c.hostCallsMade());
    }

    /**
     * Compiled code never reads {@code pauseRequested}: interrupts and deadlines take effect between
     * the fuel stretches the run driver gives compiled code ({@link Run#COMPILED_CHUNK}), so a hot
     * loop pays no poll. With the request set, a compiled run goes on to its result.
     */
    @Test
    void compiledCodeDoesNotPoll() {
        Tiers t = Tiers.of(asm(RunTest.SUM), new HostRegistry());
        Vm vm = t.compiled;
        ExecutionContext c = new ExecutionContext();
        c.reset(Limits.DEFAULT, null, 0);
        c.ensureRegisters(vm.funcs[0].regCount());
        c.w[1] = 1_000;
        c.depth = 1;
        c.pauseRequested = true;
        assertEquals(Interpreter.DONE, vm.tier.run(vm, c, 0));
        Tiers.Outcome one = t.interpret(0, List.of(Value.i64(1_000)), Limits.DEFAULT);
        assertEquals(one.fuelRemaining(), c.fuelRemaining());
    }

    /**
     * A callee too large to compile is never resumable: the driver interprets it, and its
     * compiled caller is resumed after the call.
     */
    @Test
    void aFunctionTooLargeToCompile() {
        StringBuilder b = new StringBuilder("""
                program big
                func main(n: i64) -> (i64) {
                    call r0, big, r0, [r1] -> [r2]
                    call r0, big, r0, [r2] -> [r3]
                    ret r0, [r3]
                }
                func big(x: i64) -> (i64) {
                    const.i64 r2, 1
                """);
        for (int i = 0; i < 2_000; i++) {
            b.append("    i64.add r1, r1, r2\n");
        }
        b.append("    ret r0, [r1]\n}\n");
        Tiers t = Tiers.of(asm(b.toString()), new HostRegistry());
        assertFalse(t.compiled.tier.resumable(1, 0), "too large");
        assertTrue(t.compiled.tier.resumable(0, 0));
        List<Value> args = List.of(Value.i64(1));
        Tiers.Outcome one = t.interpret(0, args, Limits.DEFAULT);
        assertEquals(List.of(Value.i64(4_001)), one.results());
        for (long stop : new long[] {-1, 0, 1, 2, 500, 2_001, 2_002, 2_003, 2_004, 3_000, 4_004, 4_005}) {
            Resumer d = new Resumer(t.compiled, stop, 0);
            Tiers.assertSame(one, d.run(null, 0, args, Limits.DEFAULT, stop), () -> "big stop " + stop);
        }
    }

    /** {@code toResumePoint} counts to the next block start; calls and returns count as reaching one. */
    @Test
    void toResumePointCountsToTheNextBlock() {
        Tiers t = Tiers.of(asm(SnapshotPrograms.FIB), new HostRegistry());
        CompiledTier tier = t.compiled.tier;
        int[] pcOf = t.compiled.funcs[0].pcOf();
        List<Integer> starts = new java.util.ArrayList<>();
        for (int i = 0; i < pcOf.length; i++) {
            if (pcOf[i] >= 0) {
                starts.add(i);
            }
        }
        // const, lt, br | ret | const, sub, call | sub, call | add, ret
        assertEquals(3, tier.toResumePoint(0, starts.get(0)));
        assertEquals(1, tier.toResumePoint(0, starts.get(2)));
        assertEquals(1, tier.toResumePoint(0, starts.get(3)));
        assertEquals(3, tier.toResumePoint(0, starts.get(4)));
        assertEquals(2, tier.toResumePoint(0, starts.get(7)));
        assertEquals(2, tier.toResumePoint(0, starts.get(9)));
        assertTrue(tier.resumable(0, starts.get(0)));
        assertFalse(tier.resumable(0, starts.get(1)));
        assertTrue(tier.resumable(0, starts.get(3)));
        assertTrue(tier.resumable(0, starts.get(7)));
        assertFalse(tier.resumable(0, starts.get(8)));
    }

    /**
     * Random valid programs x random first stops x random fuel slices, started
     * interpreted or compiled: the resumed run ends as the one-shot interpreted run.
     */
    @Property(tries = 300)
    void randomProgramsResumedAtRandomPoints(@ForAll long seed, @ForAll long argSeed) {
        Program p = ValidPrograms.program(seed);
        Tiers t = Tiers.of(p, FuzzHost.INSTANCE);
        int n = p.functions().size();
        int entry = Math.floorMod(argSeed, n);
        List<Value> args = FuzzArgs.forFunction(p, entry, argSeed);
        SplittableRandom rnd = new SplittableRandom(argSeed);
        Limits limits = FuzzChecks.LIMITS;
        Tiers.Outcome one = t.interpret(entry, args, limits);
        assertNotEquals(TrapKind.INTERNAL_ERROR, one.kind(), one::toString);
        long used = one.used(limits);
        long resumes = 0;
        for (int k = 0; k < 6; k++) {
            long stop = k == 0 ? -1 : rnd.nextLong(used + 2);
            long slice = k % 3 == 0 ? 0 : 1 + rnd.nextLong(k % 3 == 1 ? 10 : 10_000);
            Limits l = k == 5 ? limits.withFuel(rnd.nextLong(used + 2)) : limits;
            Tiers.Outcome ref = k == 5 ? t.interpret(entry, args, l) : one;
            Resumer d = new Resumer(t.compiled, rnd.nextLong(), slice);
            Tiers.Outcome o = d.run(t.compiledHost, entry, args, l, stop);
            Tiers.assertSame("one-shot", ref, "resumed", o, () -> "seed " + seed + " stop " + stop + " slice " + slice
                    + " fuel " + l.fuel());
            resumes += d.resumes;
        }
        Statistics.label("resumed").collect(resumes > 0 ? "some" : "none");
        Statistics.label("resumed").coverage(c -> c.check("some").percentage(pct -> pct > 30));
    }
}
