package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.Host;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static dev.tape.program.ValueType.UNIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the interpreter's leaf calls (sixteenth round: a direct {@code call} of a small leaf runs
 * the callee's body and {@code ret} inside the call, {@code Calls.leaf}) with random programs of
 * many small leaves (word moves, constants, a constant fused with the add or sub behind it, every
 * wrapping word op, 0 to 8 body instructions so that some are one past the limit; i64, u64, bool
 * and unit arguments and results, an aggregate first argument, results that are argument registers
 * or the same register twice, a register far above the others) called directly, through a
 * function value and through a closure, from a loop and from a recursion. Each program runs at
 * every fuel limit on the interpreter, the compiled tier and the interpreter stepped one
 * instruction at a time (INSTR tracing: the leaf path never runs), and with CALL tracing (the leaf
 * path off); at every call-depth limit and many register limits; paused every {@code k}
 * instructions and moved through a snapshot into a new VM at each pause. All must end alike.
 */
class AttackLeafCallTest {
    private static final ValueType[] WORD_TYPES = {I64, U64, BOOL};
    private static final ValueType[] VALUE_TYPES = {I64, U64, BOOL, UNIT};

    // the caller's registers (main and rec): 1 n or d, 2 i, 3 one, 4 cond, pools, the tuple,
    // function values and closures of each leaf
    private static final int I = 2;
    private static final int ONE = 3;
    private static final int COND = 4;
    private static final int I64S = 5;
    private static final int U64S = 10;
    private static final int BOOLS = 15;
    private static final int UNITS = 20;
    private static final int POOL = 5;
    private static final int TUPLE = 22;
    private static final int FUNCS = 23;
    private static final int CLOSURES = 31;
    private static final int SEVEN = 39;
    private static final int DEPTH = 40;
    private static final int LEAVES_MAX = 8;

    /** A generated leaf: its id, signature and whether its first argument is the closure's tuple. */
    private record Leaf(int id, List<ValueType> args, List<ValueType> rets, boolean env, int sig, int closureSig) {
    }

    private static int pool(ValueType t) {
        if (t == I64) {
            return I64S;
        }
        if (t == U64) {
            return U64S;
        }
        return t == BOOL ? BOOLS : UNITS;
    }

    private static int poolSize(ValueType t) {
        return t == UNIT ? 2 : POOL;
    }

    private static Program program(long seed) {
        return program(seed, new ArrayList<>());
    }

    /** @param leaves where the program's leaves go */
    private static Program program(long seed, List<Leaf> leaves) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64, I64, U64, U64, BOOL, BOOL));
        int rec = pb.declareFunction(List.of(I64), List.of(I64));
        int nLeaves = 2 + rnd.nextInt(LEAVES_MAX - 1);
        for (int k = 0; k < nLeaves; k++) {
            boolean env = rnd.nextInt(3) == 0;
            List<ValueType> args = new ArrayList<>();
            if (env) {
                args.add(AGG);
            }
            int argc = rnd.nextInt(4);
            for (int a = 0; a < argc; a++) {
                args.add(rnd.nextInt(8) == 0 ? UNIT : WORD_TYPES[rnd.nextInt(3)]);
            }
            List<ValueType> rets = new ArrayList<>();
            int retc = rnd.nextInt(4);
            for (int a = 0; a < retc; a++) {
                rets.add(rnd.nextInt(8) == 0 ? UNIT : WORD_TYPES[rnd.nextInt(3)]);
            }
            int id = pb.declareFunction(args, rets);
            int sig = pb.callSig(args, rets);
            int closureSig = env ? pb.callSig(args.subList(1, args.size()), rets) : -1;
            leaves.add(new Leaf(id, args, rets, env, sig, closureSig));
            leafBody(pb.function(id), args, rets, rnd);
        }
        caller(main, rec, leaves, rnd, false);
        caller(pb.function(rec), rec, leaves, rnd, true);
        return pb.build();
    }

    /** A straight body of 0 to 8 word instructions over typed registers, then the ret. */
    private static void leafBody(FunctionBuilder f, List<ValueType> args, List<ValueType> rets, SplittableRandom rnd) {
        int extra = rnd.nextInt(7);
        List<ValueType> types = new ArrayList<>();
        types.add(UNIT); // the effect register
        types.addAll(args);
        for (int i = 0; i < extra; i++) {
            types.add(WORD_TYPES[rnd.nextInt(3)]);
        }
        int high = -1;
        if (rnd.nextInt(4) == 0) {
            // a register far above the others: the callee's frame is larger than its caller's
            high = 60 + rnd.nextInt(195);
            while (types.size() < high) {
                types.add(UNIT);
            }
            types.add(WORD_TYPES[rnd.nextInt(3)]);
        }
        // a register of each type, for results of a type no other register has
        types.addAll(List.of(VALUE_TYPES));
        boolean[] init = new boolean[types.size()];
        for (int a = 1; a <= args.size(); a++) {
            init[a] = true;
        }
        int len = rnd.nextInt(9);
        for (int n = 0; n < len; n++) {
            int dst = word(types, rnd, high);
            if (dst < 0) {
                break;
            }
            ValueType t = types.get(dst);
            int a = initOf(types, t, init, rnd);
            int b = initOf(types, t, init, rnd);
            int pick = rnd.nextInt(10);
            if (a < 0 || pick < 2) {
                constant(f, t, dst, rnd);
            } else if (pick < 4 && t == I64 && n + 1 < len) {
                // a constant and the add or sub behind it (one fused instruction, two of fuel)
                f.constI64(dst, rnd.nextLong(-9, 9));
                init[dst] = true;
                int c = initOf(types, t, init, rnd);
                int d2 = sameType(types, t, rnd);
                f.binary(rnd.nextBoolean() ? Opcode.I64_ADD : Opcode.I64_SUB, d2, dst, c);
                init[d2] = true;
                n++;
            } else if (pick < 5) {
                f.mov(dst, a);
            } else {
                f.binary(op(t, rnd), dst, a, b < 0 ? a : b);
            }
            init[dst] = true;
        }
        int[] out = new int[rets.size()];
        for (int i = 0; i < out.length; i++) {
            ValueType t = rets.get(i);
            int r = initOf(types, t, init, rnd);
            if (r < 0 || rnd.nextInt(6) == 0) {
                r = sameType(types, t, rnd);
                constant(f, t, r, rnd);
                init[r] = true;
            }
            out[i] = r;
        }
        f.ret(0, out);
    }

    private static int word(List<ValueType> types, SplittableRandom rnd, int high) {
        List<Integer> c = new ArrayList<>();
        for (int r = 1; r < types.size(); r++) {
            ValueType t = types.get(r);
            if (t == I64 || t == U64 || t == BOOL) {
                c.add(r);
            }
        }
        if (c.isEmpty()) {
            return -1;
        }
        if (high >= 0 && rnd.nextInt(3) == 0) {
            return high;
        }
        return c.get(rnd.nextInt(c.size()));
    }

    private static int sameType(List<ValueType> types, ValueType t, SplittableRandom rnd) {
        List<Integer> c = new ArrayList<>();
        for (int r = 1; r < types.size(); r++) {
            if (types.get(r) == t) {
                c.add(r);
            }
        }
        return c.isEmpty() ? -1 : c.get(rnd.nextInt(c.size()));
    }

    private static int initOf(List<ValueType> types, ValueType t, boolean[] init, SplittableRandom rnd) {
        List<Integer> c = new ArrayList<>();
        for (int r = 1; r < types.size(); r++) {
            if (types.get(r) == t && init[r]) {
                c.add(r);
            }
        }
        return c.isEmpty() ? -1 : c.get(rnd.nextInt(c.size()));
    }

    private static void constant(FunctionBuilder f, ValueType t, int dst, SplittableRandom rnd) {
        long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextLong(-5, 6);
        if (t == I64) {
            f.constI64(dst, v);
        } else if (t == U64) {
            f.constU64(dst, v);
        } else if (t == BOOL) {
            f.constBool(dst, (v & 1) != 0);
        } else {
            f.constUnit(dst);
        }
    }

    private static Opcode op(ValueType t, SplittableRandom rnd) {
        if (t == BOOL) {
            return new Opcode[] {Opcode.BOOL_AND, Opcode.BOOL_OR, Opcode.BOOL_XOR}[rnd.nextInt(3)];
        }
        if (t == I64) {
            return new Opcode[] {Opcode.I64_ADD, Opcode.I64_SUB, Opcode.I64_MUL, Opcode.I64_AND, Opcode.I64_OR,
                Opcode.I64_XOR}[rnd.nextInt(6)];
        }
        return new Opcode[] {Opcode.U64_ADD, Opcode.U64_SUB, Opcode.U64_MUL, Opcode.U64_AND, Opcode.U64_OR,
            Opcode.U64_XOR}[rnd.nextInt(6)];
    }

    /**
     * main(n) loops i over [0, n) running random calls of the leaves (direct, through a function
     * value, through a closure) and of rec(i &amp; 7); rec(d) runs random calls, then rec(d - 1),
     * while d &gt; 0.
     */
    private static void caller(FunctionBuilder f, int rec, List<Leaf> leaves, SplittableRandom rnd, boolean isRec) {
        for (int k = 0; k < POOL; k++) {
            f.constI64(I64S + k, rnd.nextLong(-3, 4)).constU64(U64S + k, rnd.nextLong()).constBool(BOOLS + k,
                    rnd.nextBoolean());
        }
        f.constUnit(UNITS).constUnit(UNITS + 1).tupleNew(TUPLE, I64S).constI64(ONE, 1).constI64(SEVEN, 7);
        for (int k = 0; k < leaves.size(); k++) {
            Leaf l = leaves.get(k);
            f.constFunc(FUNCS + k, l.id);
            if (l.env) {
                f.closureNew(CLOSURES + k, FUNCS + k, TUPLE);
            }
        }
        Label body = f.newLabel();
        Label exit = f.newLabel();
        if (isRec) {
            f.mov(I, 1).constI64(DEPTH, 0).i64Lt(COND, DEPTH, 1).br(COND, body, exit);
        } else {
            f.constI64(I, 0).i64Lt(COND, I, 1).br(COND, body, exit);
        }
        f.place(body);
        int items = 2 + rnd.nextInt(7);
        for (int n = 0; n < items; n++) {
            int pick = rnd.nextInt(10);
            if (pick == 0 && !isRec) {
                f.binary(Opcode.I64_AND, DEPTH, I, SEVEN).call(0, rec, 0, new int[] {DEPTH},
                        new int[] {I64S + rnd.nextInt(POOL)});
                continue;
            }
            if (pick == 1) {
                f.binary(Opcode.I64_XOR, I64S + rnd.nextInt(POOL), I64S + rnd.nextInt(POOL), I);
                continue;
            }
            Leaf l = leaves.get(rnd.nextInt(leaves.size()));
            int k = leaves.indexOf(l);
            int[] args = new int[l.args.size()];
            for (int a = 0; a < args.length; a++) {
                ValueType t = l.args.get(a);
                args[a] = t == AGG ? TUPLE : t == I64 && rnd.nextInt(3) == 0 ? I
                        : pool(t) + rnd.nextInt(poolSize(t));
            }
            int[] rets = new int[l.rets.size()];
            for (int a = 0; a < rets.length; a++) {
                ValueType t = l.rets.get(a);
                rets[a] = pool(t) + rnd.nextInt(poolSize(t));
            }
            int how = rnd.nextInt(6);
            if (how == 0) {
                f.callIndirect(0, l.sig, FUNCS + k, 0, args, rets);
            } else if (how == 1 && l.env) {
                f.callIndirect(0, l.closureSig, CLOSURES + k, 0, Arrays.copyOfRange(args, 1, args.length), rets);
            } else {
                f.call(0, l.id, 0, args, rets);
            }
        }
        if (isRec) {
            f.binary(Opcode.I64_SUB, DEPTH, 1, ONE).call(0, rec, 0, new int[] {DEPTH}, new int[] {I64S + 1})
                    .i64Add(I64S, I64S, I64S + 1).ret(0, I64S);
            f.place(exit).ret(0, I64S + 2);
        } else {
            f.i64Add(I, I, ONE).i64Lt(COND, I, 1).br(COND, body, exit);
            f.place(exit).ret(0, I64S, I64S + 1, U64S, U64S + 1, BOOLS, BOOLS + 1);
        }
    }

    private static final class Steps implements TraceSink {
        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
        }
    }

    /** A CALL-tracing sink: the interpreter's leaf path is off. It records the events. */
    private static final class Calls implements TraceSink {
        final List<String> events = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.CALL;
        }

        @Override
        public void callEnter(int func, int depth) {
            events.add("+" + func + "@" + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            events.add("-" + func + "@" + depth);
        }
    }

    private static final int PROGRAMS = 40;

    @Test
    void randomLeavesEndAlikeAtEveryFuelOnBothTiersSteppedAndCallTraced() {
        int leafCalls = 0;
        int traps = 0;
        for (long seed = 0; seed < PROGRAMS; seed++) {
            Program p = program(seed);
            Tiers t = Tiers.of(p, Host.NONE);
            List<Value> args = List.of(Value.i64(1 + seed % 4));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "seed " + seed);
            assertTrue(full.trap() == null, "seed " + seed + ": " + full);
            leafCalls += leaves(t.interpreted);
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                Limits l = Limits.DEFAULT.withFuel(fuel);
                long fu = fuel;
                long s = seed;
                Tiers.Outcome o = t.check(0, args, l, "seed " + seed + " fuel " + fuel);
                Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, l, new Steps());
                Tiers.assertSame("untraced", o, "stepped", stepped, () -> "seed " + s + " fuel " + fu);
                Tiers.Outcome traced = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, l, new Calls());
                Tiers.assertSame("untraced", o, "call-traced", traced, () -> "seed " + s + " fuel " + fu);
                if (o.trap() != null) {
                    traps++;
                }
            }
            t.everyDepthThenRegisters(0, args, 12, 0, "seed " + seed);
            for (int regs = 40; regs <= 420; regs += 3) {
                t.check(0, args, Limits.DEFAULT.withMaxRegisters(regs), "seed " + seed + " regs " + regs);
            }
        }
        assertTrue(leafCalls >= PROGRAMS, leafCalls + " leaves");
        assertTrue(traps > PROGRAMS, traps + " fuel traps");
    }

    /** @return how many of the VM's functions the interpreter runs inside their calls */
    private static int leaves(Vm vm) {
        int n = 0;
        for (int f = 0; f < vm.funcs.length; f++) {
            n += vm.image.leafLength(f) != 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * Each leaf (but those of an aggregate first argument) as the run's entry, with random
     * arguments: at every fuel limit up to 10 on both tiers and stepped, at depth limits 0 and 1.
     */
    @Test
    void everyLeafAsTheEntryEndsAlikeAtEveryFuelAndDepth() {
        int runs = 0;
        for (long seed = 300; seed < 330; seed++) {
            List<Leaf> leaves = new ArrayList<>();
            Tiers t = Tiers.of(program(seed, leaves), Host.NONE);
            SplittableRandom rnd = new SplittableRandom(seed);
            for (Leaf l : leaves) {
                if (l.env) {
                    continue;
                }
                List<Value> args = new ArrayList<>();
                for (ValueType ty : l.args) {
                    long v = rnd.nextLong();
                    args.add(ty == I64 ? Value.i64(v) : ty == U64 ? Value.u64(v)
                            : ty == BOOL ? Value.bool((v & 1) != 0) : Value.unit());
                }
                String what = "seed " + seed + " leaf " + l.id;
                for (long fuel = 0; fuel <= 10; fuel++) {
                    Limits lim = Limits.DEFAULT.withFuel(fuel);
                    long fu = fuel;
                    Tiers.Outcome o = t.check(l.id, args, lim, what + " fuel " + fuel);
                    Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), l.id, args, lim,
                            new Steps());
                    Tiers.assertSame("untraced", o, "stepped", stepped, () -> what + " fuel " + fu);
                }
                t.check(l.id, args, Limits.DEFAULT.withMaxCallDepth(0), what + " depth 0");
                Tiers.Outcome one = t.check(l.id, args, Limits.DEFAULT.withMaxCallDepth(1), what + " depth 1");
                assertTrue(one.trap() == null, what + ": " + one);
                runs++;
            }
        }
        assertTrue(runs >= 60, runs + " leaves run");
    }

    @Test
    void callTraceEventsOfRandomLeavesAreTheSameOnAFreshAndAReusedContext() {
        for (long seed = 100; seed < 110; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Vm vm = new Vm(vp, Host.NONE);
            List<Value> args = List.of(Value.i64(3));
            Calls a = new Calls();
            Calls b = new Calls();
            ExecutionContext reused = new ExecutionContext();
            // an untraced run first (the leaf path) leaves the context as a traced run must not see
            List<Value> plain = vm.run(reused, 0, args, Limits.DEFAULT, null);
            assertEquals(plain, vm.run(new ExecutionContext(), 0, args, Limits.DEFAULT, a));
            assertEquals(plain, vm.run(reused, 0, args, Limits.DEFAULT, b));
            assertEquals(a.events, b.events, "seed " + seed);
            long enters = a.events.stream().filter(e -> e.startsWith("+")).count();
            assertEquals(enters * 2, a.events.size(), "every enter has its exit");
        }
    }

    @Test
    void pausedEveryKInstructionsAndMovedThroughSnapshotsEndsAsOneRun() {
        for (long seed = 200; seed < 215; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Vm vm = new Vm(vp, Host.NONE);
            List<Value> args = List.of(Value.i64(2));
            ExecutionContext one = new ExecutionContext();
            List<Value> want = vm.run(one, 0, args, Limits.DEFAULT, null);
            long fuelWant = one.fuelRemaining();
            for (int k = 1; k <= 11; k++) {
                Run run = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                Outcome o = run.step(k);
                int hops = 0;
                while (o instanceof Outcome.Paused) {
                    if (hops++ % 3 == 0) {
                        byte[] snap = run.snapshot();
                        Vm next = hops % 2 == 0 ? new Vm(vp, Host.NONE) : dev.tape.jit.Jit.compile(vp, Host.NONE);
                        Run restored = next.restore(new ExecutionContext(), snap, null, null);
                        assertEquals(run.frames(), restored.frames(), "seed " + seed + " k " + k);
                        assertEquals(run.fuelRemaining(), restored.fuelRemaining());
                        run = restored;
                    }
                    o = run.step(k);
                }
                assertTrue(o instanceof Outcome.Done, "seed " + seed + " k " + k + ": " + o);
                assertEquals(want, ((Outcome.Done) o).values(), "seed " + seed + " k " + k);
                assertEquals(fuelWant, run.fuelRemaining(), "seed " + seed + " k " + k);
            }
        }
    }
}
