package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tenth round's written-out argument and result copies of the interpreter's {@code call},
 * {@code call.indirect} and {@code ret} (issue 14): random programs whose functions take and
 * return 0, 1, 2, 3, many or very many values (up to a few hundred) of every kind (i64, u64, f64,
 * bool, unit, dec, str, bytes, tuples, func values, closures), in a chain {@code main -> g0 -> g1
 * -> ...} of direct calls, {@code call.indirect} of func values and of closures (whose environment
 * goes first),
 * with the same register passed twice or more, results written over the call's own argument
 * registers and the caller's parameters, a trap in a callee for some inputs (a division by a
 * remainder of the environment's value), and a recursion {@code rec} of mixed values permuted at
 * each level, as deep as an argument says (one program in eight around the default call depth).
 * {@link AttackAllDriver} writes each program's transcripts on the interpreter, the compiled tier,
 * the interpreter stepped with an INSTR trace (one instruction at a time, so through every call
 * and ret) and a framed compiled VM: every fuel limit (a pause exactly at each call and ret, its
 * snapshot restored on another way), heap, call-depth and register limits, slices of 1, 3 and 7
 * fuel. All must agree line by line, and with {@code -Dtape.before.jar=FILE} (a build before the
 * round, as 81f983f) the old build's transcripts must equal these.
 *
 * <p>It runs 4 programs; {@code -Dattack.c10.from=N -Dattack.c10.seeds=M} runs others. Nothing
 * differed on 93bae99 (between its ways, or against 81f983f, the build before the round) in 575
 * programs, all with the old build's transcripts: seeds 0 to 149 with the driver's defaults, 150 to
 * 499 with {@code -Dattack.driver.points=40}, and seeds 1000 to 1024 with every {@code g} taking
 * and returning 8, 9 (around the copy budget's free values) and 40 values; nor in the calls of
 * 300, 1,200 and 2,047 values. {@link #registerViewsAcrossCallAndRet} and the transcripts fail on
 * each of three index mutations of the copies (a {@code ret}'s destinations all the first, a
 * direct call's third and later arguments one register low, a closure's arguments without the
 * environment's shift). It stays as a regression test.
 */
class AttackCallCopiesTest {
    /** The value kinds: their signature types. */
    private static final String[] TYPES = {"i64", "u64", "f64", "bool", "unit", "dec", "str", "bytes",
        "agg tuple(i64)", "func", "closure"};

    /** A generated program and the entry's arguments (unused, x, recursion depth d). */
    record Generated(String source, long n, long x, long d, int regs) {}

    /** One function's registers by kind, as it is generated. */
    private static final class Pool {
        final List<List<Integer>> byType = new ArrayList<>();
        int next;

        Pool(int next) {
            this.next = next;
            for (int t = 0; t < TYPES.length; t++) {
                byType.add(new ArrayList<>());
            }
        }

        int fresh(int type) {
            byType.get(type).add(next);
            return next++;
        }

        /** a register of {@code type}, more often one of the last written */
        int pick(SplittableRandom rnd, int type) {
            List<Integer> l = byType.get(type);
            return rnd.nextInt(3) == 0 ? l.get(l.size() - 1) : l.get(rnd.nextInt(l.size()));
        }
    }

    private static int[] types(SplittableRandom rnd, int width) {
        int n = width >= 0 ? width : switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1, 2 -> 1;
            case 3 -> 2;
            case 4 -> 3;
            case 5 -> 16 + rnd.nextInt(3); // around the copy budget's free values
            case 6 -> rnd.nextInt(8) == 0 ? 150 + rnd.nextInt(250) : 20 + rnd.nextInt(40);
            default -> rnd.nextInt(10);
        };
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(TYPES.length);
        }
        return t;
    }

    private static String sig(int[] params, int[] results) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < params.length; i++) {
            s.append(i == 0 ? "" : ", ").append("p").append(i).append(": ").append(TYPES[params[i]]);
        }
        s.append(") -> (");
        for (int i = 0; i < results.length; i++) {
            s.append(i == 0 ? "" : ", ").append(TYPES[results[i]].replace(" tuple(i64)", ""));
        }
        return s.append(')').toString();
    }

    /** Writes one value of every kind into fresh registers, different by {@code salt}. */
    private static void constants(StringBuilder s, Pool p, SplittableRandom rnd, int salt, int i64From) {
        int a = p.fresh(0);
        s.append("    const.i64 r").append(a).append(", ").append(salt * 1000 + rnd.nextInt(1000)).append('\n');
        if (i64From > 0) {
            s.append("    i64.add r").append(a).append(", r").append(a).append(", r").append(i64From).append('\n');
        }
        s.append("    const.u64 r").append(p.fresh(1)).append(", ").append(Long.toUnsignedString(rnd.nextLong()))
                .append('\n');
        int f = p.fresh(2);
        s.append("    i64.to_f64 r").append(f).append(", r").append(a).append('\n');
        s.append("    const.bool r").append(p.fresh(3)).append(", ").append(rnd.nextBoolean()).append('\n');
        s.append("    const.unit r").append(p.fresh(4)).append('\n');
        s.append("    i64.to_dec r").append(p.fresh(5)).append(", r").append(a).append(", ").append(rnd.nextInt(4))
                .append('\n');
        s.append("    const.pool r").append(p.fresh(6)).append(", str:\"s").append(salt).append('_')
                .append(rnd.nextInt(100)).append("\"\n");
        s.append("    const.pool r").append(p.fresh(7)).append(", bytes:").append(String.format("%02x%02x", salt & 255,
                rnd.nextInt(256))).append('\n');
        s.append("    tuple.new r").append(p.fresh(8)).append(", [r").append(a).append("]\n");
        s.append("    const.func r").append(p.fresh(9)).append(", leaf").append('\n');
        s.append("    const.func r").append(p.next).append(", leaf\n");
        int fr = p.next++;
        s.append("    closure.new r").append(p.fresh(10)).append(", r").append(fr).append(", r")
                .append(p.byType.get(8).get(p.byType.get(8).size() - 1)).append('\n');
    }

    /**
     * A call of {@code callee} (direct, or through a closure of it over an environment from the
     * pool) with arguments picked from the pool; its results go to fresh registers or over ones of
     * the same kind (the call's own arguments among them).
     */
    private static void call(StringBuilder s, Pool p, SplittableRandom rnd, String callee, int[] params,
                             int[] results) {
        int env = p.pick(rnd, 8);
        List<Integer> args = new ArrayList<>();
        for (int t : params) {
            args.add(p.pick(rnd, t));
        }
        StringBuilder rets = new StringBuilder();
        List<Integer> fresh = new ArrayList<>();
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int i = 0; i < results.length; i++) {
            int t = results[i];
            int d;
            if (rnd.nextInt(3) == 0) {
                d = p.pick(rnd, t);
                if (!used.add(d)) {
                    d = p.next++;
                    used.add(d);
                    fresh.add(i);
                }
            } else {
                d = p.next++;
                used.add(d);
                fresh.add(i);
            }
            rets.append(i == 0 ? "" : ", ").append('r').append(d);
            if (fresh.contains(i)) {
                p.byType.get(t).add(d);
            }
        }
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            a.append(i == 0 ? "" : ", ").append('r').append(args.get(i));
        }
        int how = rnd.nextInt(5);
        if (how < 2) {
            s.append("    call r0, ").append(callee).append(", r0, [r").append(env).append(args.isEmpty() ? "" : ", ")
                    .append(a).append("] -> [").append(rets).append("]\n");
        } else if (how == 2) {
            // a func value: the environment is an ordinary first argument
            int f = p.fresh(9);
            s.append("    const.func r").append(f).append(", ").append(callee).append('\n');
            s.append("    call.indirect r0, sigf_").append(callee).append(", r").append(f).append(", r0, [r").append(env)
                    .append(args.isEmpty() ? "" : ", ").append(a).append("] -> [").append(rets).append("]\n");
        } else {
            int f = p.next++;
            int c = p.fresh(10);
            s.append("    const.func r").append(f).append(", ").append(callee).append('\n');
            s.append("    closure.new r").append(c).append(", r").append(f).append(", r").append(env).append('\n');
            s.append("    call.indirect r0, sig_").append(callee).append(", r").append(c).append(", r0, [").append(a)
                    .append("] -> [").append(rets).append("]\n");
        }
    }

    private static void ret(StringBuilder s, Pool p, SplittableRandom rnd, int[] results) {
        s.append("    ret r0, [");
        for (int i = 0; i < results.length; i++) {
            s.append(i == 0 ? "" : ", ").append('r').append(p.pick(rnd, results[i]));
        }
        s.append("]\n");
    }

    static Generated program(long seed) {
        return program(seed, -1);
    }

    /**
     * @param seed the program's seed
     * @param width how many values each {@code g} function takes and returns, or -1 for a random
     *     count
     * @return the program
     */
    static Generated program(long seed, int width) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 1 + rnd.nextInt(4);
        int[][] params = new int[k][];
        int[][] results = new int[k][];
        StringBuilder s = new StringBuilder("program c10\n");
        for (int j = 0; j < k; j++) {
            params[j] = types(rnd, width);
            results[j] = types(rnd, width);
            s.append("callsig sig_g").append(j).append(" = ").append(sig(params[j], results[j])
                    .replaceAll("p[0-9]+: ", "").replace(" tuple(i64)", "")).append('\n');
            s.append("callsig sigf_g").append(j).append(" = (agg").append(params[j].length == 0 ? "" : ", ")
                    .append(sig(params[j], results[j]).replaceAll("p[0-9]+: ", "").replace(" tuple(i64)", "").substring(1))
                    .append('\n');
        }
        int[] recTypes = new int[1 + rnd.nextInt(6)];
        for (int i = 0; i < recTypes.length; i++) {
            recTypes[i] = rnd.nextInt(TYPES.length);
        }
        boolean recurse = rnd.nextInt(3) != 0;
        int regs = 0;
        // main(n, x, d): the chain's first call, the recursion, all results returned
        Pool m = new Pool(4);
        StringBuilder body = new StringBuilder();
        constants(body, m, rnd, 0, 2);
        constants(body, m, rnd, 1, 2);
        int[] r0 = results[0].clone();
        call(body, m, rnd, "g0", params[0], r0);
        int[] rr = recTypes.clone();
        if (recurse) {
            StringBuilder a = new StringBuilder();
            for (int t : recTypes) {
                a.append(", r").append(m.pick(rnd, t));
            }
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < recTypes.length; i++) {
                int reg = m.next++;
                m.byType.get(recTypes[i]).add(reg);
                d.append(i == 0 ? "" : ", ").append('r').append(reg);
            }
            body.append("    call r0, rec, r0, [r3").append(a).append("] -> [").append(d).append("]\n");
        } else {
            rr = new int[0];
        }
        int[] mainResults = new int[r0.length + rr.length + 1];
        System.arraycopy(r0, 0, mainResults, 0, r0.length);
        System.arraycopy(rr, 0, mainResults, r0.length, rr.length);
        mainResults[mainResults.length - 1] = rnd.nextInt(TYPES.length);
        s.append("func main(n: i64, x: i64, d: i64) -> ").append(sig(new int[0], mainResults).substring(6))
                .append(" {\n").append(body);
        ret(s, m, rnd, mainResults);
        s.append("}\n");
        regs += m.next;
        for (int j = 0; j < k; j++) {
            Pool p = new Pool(2 + params[j].length);
            p.byType.get(8).add(1);
            for (int i = 0; i < params[j].length; i++) {
                p.byType.get(params[j][i]).add(2 + i);
            }
            StringBuilder b = new StringBuilder();
            int e = p.fresh(0);
            b.append("    tuple.get r").append(e).append(", r1, 0\n");
            constants(b, p, rnd, j + 2, e);
            if (rnd.nextInt(3) == 0) {
                // a trap for some inputs: 100 / (env mod 7)
                int q = p.next++;
                int h = p.next++;
                b.append("    const.i64 r").append(q).append(", 7\n    i64.rem r").append(q).append(", r").append(e)
                        .append(", r").append(q).append('\n');
                b.append("    const.i64 r").append(h).append(", 100\n    i64.div r").append(h).append(", r").append(h)
                        .append(", r").append(q).append('\n');
                p.byType.get(0).add(h);
            }
            if (j + 1 < k) {
                for (int c = 0, calls = 1 + rnd.nextInt(2); c < calls; c++) {
                    call(b, p, rnd, "g" + (j + 1), params[j + 1], results[j + 1].clone());
                }
            }
            String sg = sig(params[j], results[j]);
            s.append("func g").append(j).append("(env: agg tuple(i64)")
                    .append(sg.startsWith("()") ? sg.substring(1) : ", " + sg.substring(1))
                    .append(" {\n").append(b);
            ret(s, p, rnd, results[j]);
            s.append("}\n");
            regs += p.next;
        }
        // rec(d, values...): the values permuted (by kind) at each level, past d levels returned
        Pool p = new Pool(2 + recTypes.length);
        for (int i = 0; i < recTypes.length; i++) {
            p.byType.get(recTypes[i]).add(2 + i);
        }
        int z = p.next++;
        int le = p.next++;
        int one = p.next++;
        int dm = p.next++;
        StringBuilder b = new StringBuilder();
        b.append("    const.i64 r").append(z).append(", 0\n    i64.le r").append(le).append(", r1, r").append(z)
                .append("\n    br r").append(le).append(", base, step\nbase:\n");
        ret(b, p, rnd, recTypes);
        b.append("step:\n    const.i64 r").append(one).append(", 1\n    i64.sub r").append(dm).append(", r1, r")
                .append(one).append('\n');
        StringBuilder a = new StringBuilder();
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < recTypes.length; i++) {
            a.append(", r").append(p.pick(rnd, recTypes[i]));
        }
        for (int i = 0; i < recTypes.length; i++) {
            int reg = rnd.nextInt(3) == 0 ? 2 + i : p.next++;
            if (reg != 2 + i) {
                p.byType.get(recTypes[i]).add(reg);
            }
            d.append(i == 0 ? "" : ", ").append('r').append(reg);
        }
        b.append("    call r0, rec, r0, [r").append(dm).append(a).append("] -> [").append(d).append("]\n");
        ret(b, p, rnd, recTypes);
        s.append("func rec(d: i64, ").append(sig(recTypes, recTypes).substring(1)).append(" {\n")
                .append(b).append("}\n");
        s.append("func leaf(x: i64) -> (i64) {\n    const.i64 r2, 3\n    i64.mul r2, r1, r2\n    ret r0, [r2]\n}\n");
        long depth = rnd.nextInt(8) == 0 ? 1018 + rnd.nextInt(10) : rnd.nextInt(12);
        regs += (int) (depth + 2) * p.next;
        return new Generated(s.toString(), 0, rnd.nextLong(1000), depth, regs);
    }

    /**
     * @param seed the program's seed
     * @param width how many values each {@code g} function takes and returns, or -1 for a random
     *     count
     * @param oldRun the build before's driver, or null
     * @return whether the run under the default limits ended with results
     */
    static boolean check(long seed, int width, Method oldRun) throws Exception {
        Generated g = program(seed, width);
        long[] argv = {g.n(), g.x(), g.d()};
        String what = "seed " + seed + " args " + java.util.Arrays.toString(argv) + "\n" + g.source();
        String[] now = TierCompare.waysAgree(oldRun, g.source(), argv, Math.min(g.d() + 6, 40), seed % 2 == 0,
                g.regs() + 64, true, what);
        return now[0].startsWith("full done");
    }

    @Test
    void tiersSteppedFramedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.c10", 4);
        int results = 0;
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                results += check(seed, -1, old.run()) ? 1 : 0;
            }
        }
        assertTrue(results >= 1 && (seeds.count() < 40 || results < seeds.count()),
                "results " + results + " of " + seeds.count());
    }

    /**
     * Calls of 300 and 2,047 arguments and results each (every kind, in a random order): the
     * copies' loops run far past their written-out first two values and the copy budget's free
     * values, on every way and against the build before.
     */
    @Test
    void veryManyArgumentsAndResults() throws Exception {
        try (TierCompare.Before old = TierCompare.Before.open()) {
            check(1, 300, old.run());
            check(7, 2047, old.run());
        }
    }

    /**
     * The copies against a model, through the debugger's register view: each program run one
     * instruction at a time ({@link Run#step}) on the interpreter and on a compiled VM; at every
     * {@code call} and {@code call.indirect} the caller's argument registers are read before the
     * step and the callee's parameters after it (a closure's environment first), at every
     * {@code ret} the returned registers before and the caller's result registers after. They
     * must hold the same values, and the run must end as an unstepped one does.
     */
    @Test
    void registerViewsAcrossCallAndRet() {
        int copies = 0;
        for (long seed = 0; seed < 12; seed++) {
            Generated g = program(seed, seed % 4 == 3 ? 40 : -1);
            VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(g.source(), "c10.tasm"));
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()), Value.i64(Math.min(g.d(), 30)));
            for (Vm vm : new Vm[] {new Vm(p, Host.NONE), Jit.compile(p, Host.NONE)}) {
                copies += stepThrough(vm, p.program(), args, g.source());
            }
        }
        assertTrue(copies > 2_000, "values compared " + copies);
    }

    /** Records call-enter and call-exit events (func, depth) under a trace mask. */
    private static final class CallEvents implements TraceSink {
        private final int mask;
        final List<String> events = new ArrayList<>();

        CallEvents(int mask) {
            this.mask = mask;
        }

        @Override
        public int mask() {
            return mask;
        }

        @Override
        public void callEnter(int func, int depth) {
            events.add("enter " + func + " " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            events.add("exit " + func + " " + depth);
        }
    }

    /**
     * The call trace (a {@code TraceMask.CALL} sink, and one with every event) of each program is
     * the same on the interpreter and a compiled VM, with the same outcome; call events carry the
     * function and the depth, not the values, which the other tests compare.
     */
    @Test
    void callTracesAgreeOnBothTiers() {
        int events = 0;
        for (long seed = 0; seed < 12; seed++) {
            Generated g = program(seed);
            VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(g.source(), "c10.tasm"));
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()), Value.i64(Math.min(g.d(), 30)));
            String first = null;
            for (Vm vm : new Vm[] {new Vm(p, Host.NONE), Jit.compile(p, Host.NONE)}) {
                for (int mask : new int[] {TraceMask.CALL, TraceMask.ALL}) {
                    CallEvents sink = new CallEvents(mask);
                    Outcome o = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, sink).resume();
                    String got = o + "\n" + sink.events;
                    if (first == null) {
                        first = got;
                        events += sink.events.size();
                    }
                    assertEquals(first, got, g.source());
                }
            }
        }
        assertTrue(events > 100, "events " + events);
    }

    /** @return how many copied values it compared */
    private static int stepThrough(Vm vm, Program prog, List<Value> args, String what) {
        ExecutionContext c = new ExecutionContext();
        Run r = vm.start(c, 0, args, Limits.DEFAULT, null);
        Outcome whole = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, null).resume();
        // the pending calls' result registers, innermost last
        List<int[]> pending = new ArrayList<>();
        int compared = 0;
        Outcome o;
        while (true) {
            Trap.Frame top = r.frames().get(0);
            Instruction ins = InstructionCodec.decode(prog.functions().get(top.func()).code(), top.pc());
            List<Value> before = r.registers(0);
            int depth = r.depth();
            o = r.step(1);
            if (!(o instanceof Outcome.Paused)) {
                break;
            }
            String at = top + " " + ins + "\n" + what;
            Opcode op = ins.opcode();
            if (op == Opcode.CALL || op == Opcode.CALL_INDIRECT) {
                assertEquals(depth + 1, r.depth(), at);
                List<Value> expect = new ArrayList<>();
                if (op == Opcode.CALL_INDIRECT
                        && before.get(ins.reg(ins.indexOf("callee"))) instanceof Value.Closure cl) {
                    expect.add(cl.env());
                }
                for (int a : ins.list(ins.indexOf("args"))) {
                    expect.add(before.get(a));
                }
                List<Value> callee = r.registers(0);
                assertEquals(expect, callee.subList(1, 1 + expect.size()), at);
                compared += expect.size();
                pending.add(ins.list(ins.indexOf("rets")));
            } else if (op == Opcode.RET) {
                assertEquals(depth - 1, r.depth(), at);
                int[] dst = pending.remove(pending.size() - 1);
                int[] src = ins.list(ins.indexOf("rets"));
                List<Value> caller = r.registers(0);
                for (int i = 0; i < src.length; i++) {
                    assertEquals(before.get(src[i]), caller.get(dst[i]), at + " result " + i);
                }
                compared += src.length;
            }
        }
        assertEquals(String.valueOf(whole), String.valueOf(o), what);
        return compared;
    }
}
