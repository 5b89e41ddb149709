package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attack on compiled self-calls that pass their word arguments as JVM parameters
 * ({@code WordParams}): the callee's argument registers are not in the word file while its method
 * runs, its other entries go through a trampoline that reads them from the file.
 *
 * <p>The programs are random: {@code f} takes 1 to 10 word arguments (i64, u64, bool, f64 with
 * signalling and quiet NaN payloads, func) and 0 to 2 str arguments in random order; some are
 * never read, some are overwritten in place (the argument register itself) before the calls and
 * read again after them; each inner frame makes 1 to 3 calls, each a direct self-call, a call of
 * {@code g} (which calls {@code f} back: mutual recursion next to self-recursion, {@code g} keeps
 * the usual descriptor and enters {@code f} through its linked call site), or a
 * {@code call.indirect} of {@code f} through a {@code func} argument or a {@code const.func};
 * the calls may sit in a loop (peeled, the self-call in both copies); the leaves read the
 * arguments through instructions of every kind, one left to {@code Ops.slow} among them, and may
 * trap. {@code main} (function 0) enters {@code f} directly, through {@code g} or indirectly; the
 * runs also enter {@code f} itself as the run's entry (the tier's entry, the trampoline). Both
 * tiers must agree at every fuel limit, call-depth limit 0 to 5, register limit, and in pauses
 * with snapshots restored on both tiers.
 */
class AttackWordParamsTest {
    private static final String[] TYPES = {"i64", "u64", "bool", "f64", "func", "i64", "f64"};

    /** NaN payloads and other odd bits for f64 arguments. */
    private static final long[] F64_BITS = {0x7ff0000000000001L, 0x7ff8000000000001L, 0xfff0000000000abcL,
        0xfff8000000000000L, 0x7ff4000000000000L, 0x8000000000000000L, 0x7ff0000000000000L, 0x3ff8000000000000L};

    static Tiers.Generated program(long seed) {
        return program(seed, false);
    }

    /**
     * @param ext whether the arguments may also be unit and dec (scale 0) and the leaves call a
     *     word host function and a boxed one with the arguments ({@link #HOST})
     */
    static Tiers.Generated program(long seed, boolean ext) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int words = 1 + rnd.nextInt(10);
        int strs = rnd.nextInt(3);
        List<String> types = new ArrayList<>();
        types.add("i64");
        for (int j = 1; j < words; j++) {
            types.add(ext && rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? "unit" : "dec")
                    : TYPES[rnd.nextInt(TYPES.length)]);
        }
        for (int j = 0; j < strs; j++) {
            types.add("str");
        }
        for (int j = types.size() - 1; j > 0; j--) {
            int k = rnd.nextInt(j + 1);
            String t = types.get(j);
            types.set(j, types.get(k));
            types.set(k, t);
        }
        int argc = types.size();
        int counter = types.indexOf("i64") + 1;
        int funcArg = types.indexOf("func") + 1;
        StringBuilder sig = new StringBuilder();
        StringBuilder params = new StringBuilder();
        List<Value> args = new ArrayList<>();
        for (int j = 0; j < argc; j++) {
            sig.append(j == 0 ? "" : ", ").append(types.get(j));
            params.append(j == 0 ? "" : ", ").append("a").append(j + 1).append(": ").append(types.get(j));
            args.add(switch (types.get(j)) {
                case "i64" -> Value.i64(j + 1 == counter ? 1 + rnd.nextInt(3) : rnd.nextInt(200) - 100);
                case "u64" -> Value.u64(rnd.nextLong());
                case "bool" -> Value.bool(rnd.nextBoolean());
                case "f64" -> rnd.nextBoolean() ? Value.f64Bits(F64_BITS[rnd.nextInt(F64_BITS.length)])
                        : Value.f64(rnd.nextInt(40) / 4.0 - 5);
                case "func" -> Value.func(1);
                case "unit" -> Value.unit();
                case "dec" -> Value.decimal(rnd.nextInt(100), 0);
                default -> Value.str("x".repeat(rnd.nextInt(4)));
            });
        }
        String all = allRegs(argc);
        StringBuilder s = new StringBuilder("program atkparams\ncallsig sig = (").append(sig).append(") -> (i64)\n");
        if (ext) {
            s.append("host hw = \"t.w\" (i64) -> (i64)\nhost hb = \"t.b\" (i64, u64) -> (i64)\n");
        }
        // main: f directly, through g, or indirectly
        int entryKind = rnd.nextInt(3);
        s.append("func main(").append(params).append(") -> (i64) {\n");
        int m = argc + 1;
        switch (entryKind) {
            case 0 -> s.append("    call r0, f, r0, [").append(all).append("] -> [r").append(m).append("]\n");
            case 1 -> s.append("    call r0, g, r0, [").append(all).append("] -> [r").append(m).append("]\n");
            default -> s.append("    const.func r").append(m + 1).append(", f\n    call.indirect r0, sig, r")
                    .append(m + 1).append(", r0, [").append(all).append("] -> [r").append(m).append("]\n");
        }
        s.append("    ret r0, [r").append(m).append("]\n}\n");
        s.append(f(rnd, types, counter, funcArg, params.toString(), ext));
        // g: not self-recursive, calls f back with its arguments
        s.append("func g(").append(params).append(") -> (i64) {\n")
                .append("    call r0, f, r0, [").append(all).append("] -> [r").append(argc + 1).append("]\n")
                .append("    const.i64 r").append(argc + 2).append(", 5\n")
                .append("    i64.add r").append(argc + 1).append(", r").append(argc + 1).append(", r").append(argc + 2)
                .append("\n    ret r0, [r").append(argc + 1).append("]\n}\n");
        return new Tiers.Generated(s.toString(), args);
    }

    private static String allRegs(int argc) {
        StringBuilder b = new StringBuilder();
        for (int j = 1; j <= argc; j++) {
            b.append(j == 1 ? "" : ", ").append('r').append(j);
        }
        return b.toString();
    }

    private static String f(SplittableRandom rnd, List<String> types, int counter, int funcArg, String params,
            boolean ext) {
        int argc = types.size();
        int[] next = {argc + 1};
        StringBuilder s = new StringBuilder("func f(").append(params).append(") -> (i64) {\n");
        String c = reg(next);
        String zero = reg(next);
        String one = reg(next);
        String ione = reg(next);
        String sh = reg(next);
        String iacc = reg(next);
        String uacc = reg(next);
        String t = reg(next);
        String u = reg(next);
        String w = reg(next);
        String uw = reg(next);
        String half = reg(next);
        s.append("    const.i64 ").append(zero).append(", 0\n")
                .append("    const.i64 ").append(ione).append(", 1\n")
                .append("    const.u64 ").append(one).append(", 1\n")
                .append("    const.u64 ").append(sh).append(", 3\n")
                .append("    const.f64 ").append(half).append(", 0.5\n")
                .append("    const.i64 ").append(iacc).append(", 0\n")
                .append("    const.u64 ").append(uacc).append(", 0\n")
                .append("    i64.lt ").append(c).append(", ").append(zero).append(", r").append(counter).append('\n')
                .append("    br ").append(c).append(", big, small\n")
                .append("small:\n");
        for (int j = 0; j < argc; j++) {
            if (j + 1 != counter && rnd.nextInt(4) == 0) {
                continue; // never read
            }
            weigh(s, rnd, types.get(j), "r" + (j + 1), 2 * j + 3, iacc, uacc, t, u, w, uw, one, next);
        }
        if (ext) {
            // the host functions see the arguments (the counter and a u64 of the accumulated)
            s.append("    host_call r0, hw, r0, [r").append(counter).append("] -> [").append(t).append("]\n")
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n')
                    .append("    host_call r0, hb, r0, [").append(iacc).append(", ").append(uacc).append("] -> [")
                    .append(t).append("]\n")
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n');
        }
        if (rnd.nextInt(3) == 0) {
            s.append("    const.i64 ").append(w).append(", 5\n")
                    .append("    i64.rem ").append(t).append(", ").append(iacc).append(", ").append(w).append('\n')
                    .append("    i64.div ").append(t).append(", ").append(iacc).append(", ").append(t).append('\n')
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n');
        }
        finish(s, iacc, uacc, t, sh);
        s.append("big:\n");
        // some arguments overwritten in place, the others copied to new registers
        String[] now = new String[argc];
        for (int j = 0; j < argc; j++) {
            String a = "r" + (j + 1);
            String type = types.get(j);
            boolean inPlace = rnd.nextBoolean();
            String d = type.equals("str") || type.equals("func") || type.equals("unit") || inPlace ? a
                    : reg(next);
            now[j] = d;
            if (j + 1 == counter) {
                now[j] = reg(next);
                s.append("    i64.sub ").append(now[j]).append(", ").append(a).append(", ").append(ione).append('\n');
                continue;
            }
            switch (type) {
                case "i64" -> s.append("    i64.add ").append(d).append(", ").append(a).append(", r").append(counter)
                        .append('\n');
                case "u64" -> s.append("    u64.add ").append(d).append(", ").append(a).append(", ").append(one)
                        .append('\n');
                case "bool" -> s.append("    bool.not ").append(d).append(", ").append(a).append('\n');
                case "dec" -> s.append("    dec.add ").append(d).append(", ").append(a).append(", ").append(a).append('\n');
                case "f64" -> {
                    if (rnd.nextBoolean()) {
                        s.append("    f64.add ").append(d).append(", ").append(a).append(", ").append(half).append('\n');
                    } else {
                        s.append("    f64.to_bits ").append(u).append(", ").append(a).append('\n')
                                .append("    u64.xor ").append(u).append(", ").append(u).append(", ").append(one)
                                .append('\n')
                                .append("    f64.from_bits ").append(d).append(", ").append(u).append('\n');
                    }
                }
                default -> {
                }
            }
        }
        boolean loop = rnd.nextInt(3) == 0;
        int calls = loop ? 1 : 1 + rnd.nextInt(3);
        String k = reg(next);
        String lim = reg(next);
        String cond = reg(next);
        String fv = reg(next);
        s.append("    const.func ").append(fv).append(", f\n");
        if (loop) {
            s.append("    const.i64 ").append(k).append(", 0\n")
                    .append("    const.i64 ").append(lim).append(", 2\n")
                    .append("    jmp head\nhead:\n")
                    .append("    i64.lt ").append(cond).append(", ").append(k).append(", ").append(lim).append('\n')
                    .append("    br ").append(cond).append(", body, out\nbody:\n");
        }
        for (int call = 0; call < calls; call++) {
            String[] pass = now.clone();
            if (call > 0) {
                // rotate the arguments of each type (not the counter)
                for (String type : new String[] {"i64", "u64", "bool", "f64", "func", "str", "unit", "dec"}) {
                    List<Integer> at = new ArrayList<>();
                    for (int j = 0; j < argc; j++) {
                        if (types.get(j).equals(type) && j + 1 != counter) {
                            at.add(j);
                        }
                    }
                    for (int q = 0; q < at.size(); q++) {
                        pass[at.get(q)] = now[at.get((q + call) % at.size())];
                    }
                }
            }
            String x = reg(next);
            String list = String.join(", ", pass);
            int kind = rnd.nextInt(6);
            if (kind == 4) {
                s.append("    call r0, g, r0, [").append(list).append("] -> [").append(x).append("]\n");
            } else if (kind == 5) {
                String callee = funcArg > 0 ? "r" + funcArg : fv;
                s.append("    call.indirect r0, sig, ").append(callee).append(", r0, [").append(list).append("] -> [")
                        .append(x).append("]\n");
            } else {
                s.append("    call r0, f, r0, [").append(list).append("] -> [").append(x).append("]\n");
            }
            s.append("    const.i64 ").append(w).append(", ").append(3 + call).append('\n')
                    .append("    i64.mul ").append(iacc).append(", ").append(iacc).append(", ").append(w).append('\n')
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(x).append('\n');
        }
        if (loop) {
            s.append("    i64.add ").append(k).append(", ").append(k).append(", ").append(ione).append('\n')
                    .append("    jmp head\nout:\n");
        }
        // the arguments read again after the calls (the caller's own, in place or not)
        for (int j = 0; j < argc; j++) {
            if (rnd.nextBoolean()) {
                weigh(s, rnd, types.get(j), "r" + (j + 1), 7 + j, iacc, uacc, t, u, w, uw, one, next);
            }
        }
        finish(s, iacc, uacc, t, sh);
        s.append("}\n");
        return s.toString();
    }

    private static void weigh(StringBuilder s, SplittableRandom rnd, String type, String a, int weight, String iacc,
            String uacc, String t, String u, String w, String uw, String one, int[] next) {
        s.append("    const.i64 ").append(w).append(", ").append(weight).append('\n')
                .append("    const.u64 ").append(uw).append(", ").append(weight).append('\n');
        switch (type) {
            case "i64" -> s.append("    i64.mul ").append(t).append(", ").append(a).append(", ").append(w).append('\n')
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n');
            case "u64" -> s.append(rnd.nextBoolean() ? "    u64.mul " : "    u64.div ").append(u).append(", ").append(a)
                    .append(", ").append(uw).append('\n')
                    .append("    u64.add ").append(uacc).append(", ").append(uacc).append(", ").append(u).append('\n');
            case "bool" -> s.append("    select ").append(t).append(", ").append(a).append(", ").append(w).append(", ")
                    .append(w).append('\n').append("    select ").append(t).append(", ").append(a).append(", ")
                    .append(w).append(", ").append(iacc).append('\n')
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n');
            case "f64" -> {
                String d = "r" + next[0]++;
                if (rnd.nextBoolean()) {
                    s.append("    f64.rem ").append(d).append(", ").append(a).append(", ").append(a).append('\n')
                            .append("    f64.to_bits ").append(u).append(", ").append(d).append('\n');
                } else {
                    s.append("    f64.to_bits ").append(u).append(", ").append(a).append('\n');
                }
                s.append("    u64.mul ").append(u).append(", ").append(u).append(", ").append(uw).append('\n')
                        .append("    u64.add ").append(uacc).append(", ").append(uacc).append(", ").append(u).append('\n');
            }
            case "func", "unit" -> {
            }
            case "dec" -> s.append("    dec.to_i64 ").append(t).append(", ").append(a).append('\n')
                    .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n');
            default -> {
                String d = "r" + next[0]++;
                s.append("    str.concat ").append(d).append(", ").append(a).append(", ").append(a).append('\n')
                        .append("    str.len ").append(u).append(", ").append(d).append('\n')
                        .append("    u64.mul ").append(u).append(", ").append(u).append(", ").append(uw).append('\n')
                        .append("    u64.add ").append(uacc).append(", ").append(uacc).append(", ").append(u).append('\n');
            }
        }
    }

    private static void finish(StringBuilder s, String iacc, String uacc, String t, String sh) {
        s.append("    u64.shr ").append(uacc).append(", ").append(uacc).append(", ").append(sh).append('\n')
                .append("    u64.to_i64 ").append(t).append(", ").append(uacc).append('\n')
                .append("    i64.add ").append(iacc).append(", ").append(iacc).append(", ").append(t).append('\n')
                .append("    ret r0, [").append(iacc).append("]\n");
    }

    private static String reg(int[] next) {
        return "r" + next[0]++;
    }

    /** Every fuel limit and heap limit, main entering f each way, and f as the run's entry. */
    @Test
    void everyFuelLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 40, AttackWordParamsTest::program, (g, vp, t, full, what) -> {
            assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what);
            Tiers.Outcome o = t.check(1, g.args(), Limits.DEFAULT, what + " entry f");
            t.everyFuel(1, g.args(), o, what + " entry f");
        });
    }

    /** Every call-depth limit 0 to 5 and register limit 1 to 80, then larger register limits. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        for (long seed = 100; seed < 150; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            for (int entry = 0; entry <= 1; entry++) {
                t.everyDepthThenRegisters(entry, g.args(), 5, 80, what + " entry " + entry);
                for (int regs = 81; regs <= 2_000; regs += 29) {
                    t.check(entry, g.args(), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                }
            }
        }
    }

    /** The word host function: its argument times 3 plus 1. The boxed one: the first plus the second's low bits. */
    static final dev.tape.host.HostRegistry HOST = new dev.tape.host.HostRegistry()
            .registerWords("t.w", dev.tape.host.Signature.of(List.of(dev.tape.program.ValueType.I64),
                    List.of(dev.tape.program.ValueType.I64)), (dev.tape.host.WordFunction.Of1) a -> 3 * a + 1)
            .register("t.b", dev.tape.host.Signature.of(List.of(dev.tape.program.ValueType.I64,
                    dev.tape.program.ValueType.U64), List.of(dev.tape.program.ValueType.I64)),
                    (dev.tape.host.HostFunction) (a, out, ctx) -> out[0] = Value.i64(
                            ((Value.I64) a[0]).value() + (((Value.U64) a[1]).value() & 0xff)));

    /**
     * Unit and dec arguments among the word ones, host calls (a word one and a boxed one) in the
     * leaves: every fuel limit, depth and register limits, and pauses with snapshots restored, on
     * both tiers.
     */
    @Test
    void withUnitDecimalArgumentsAndHostCalls() throws Exception {
        int pauses = 0;
        int returned = 0;
        for (long seed = 400; seed < 420; seed++) {
            Tiers.Generated g = program(seed, true);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), HOST);
            String what = "seed " + seed + "\n" + g.source();
            for (int entry = 0; entry <= 1; entry++) {
                Tiers.Outcome full = t.check(entry, g.args(), Limits.DEFAULT, what + " entry " + entry);
                returned += full.trap() == null ? 1 : 0;
                t.everyFuel(entry, g.args(), full, what + " entry " + entry);
                t.everyDepthThenRegisters(entry, g.args(), 4, 60, what + " entry " + entry);
                t.check(entry, g.args(), Limits.DEFAULT.withMaxHostCalls(3), what + " hosts 3");
            }
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, g.args(), slice, 2, what + " slice " + slice, (a, b, pause) -> { });
        }
        assertTrue(pauses >= 250, "pauses " + pauses);
        assertTrue(returned >= 20, "runs that returned " + returned);
    }

    /** Pauses at every slice of 1 to 12, snapshots compared and restored on both tiers. */
    @Test
    void pausesAndSnapshots() throws Exception {
        int pauses = Tiers.pauseSweep(200, 260, AttackWordParamsTest::program);
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }
}
