package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A function's direct calls of itself pass its word arguments as JVM parameters
 * ({@code WordParams}): the method's descriptor takes them first, its prologue moves them to
 * their locals, the self-call passes them from the caller's locals and writes them to the callee's
 * registers only where the call hands over; every other entry goes through a trampoline with
 * {@code JitCompiler.DESC} that reads them from the word file.
 *
 * <p>The programs are random recursions (fib's shape, two self-calls per inner frame, or a linear
 * one deep enough that the compiled frames run out of Java stack and the call hands over to the
 * interpreter) over 1 to 9 word arguments (i64, u64, bool, f64; 9 is one more than the parameters
 * take, so that function keeps {@code DESC}) mixed with 0 to 2 {@code str} arguments, in random
 * order. Each call changes every argument and the second call of an inner frame rotates the
 * arguments of each type, and the result weighs each argument by its position, so an argument
 * passed to the wrong parameter changes the result; the leaves may trap (a division by zero) after
 * reading them all. Both tiers must agree on every run (result or trap with its call stack, fuel,
 * heap) at every fuel limit (the callee short of fuel at its entry, before it reads its arguments,
 * hands over to the interpreter), every call-depth limit 0 to 4, register limits, and in pauses at
 * every slice of 1 to 12 with the snapshot bytes compared and restored on both tiers.
 */
class JitWordParamsTest {
    private static final String[] WORD_TYPES = {"i64", "u64", "bool", "f64"};

    /**
     * A random program: {@code f} of 1 to 9 word and 0 to 2 str arguments, its first i64 argument
     * the recursion's counter.
     *
     * @param seed the seed
     * @return its text and {@code f}'s arguments
     */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int words = 1 + rnd.nextInt(9);
        int strs = rnd.nextInt(3);
        boolean linear = rnd.nextInt(4) == 0;
        List<String> types = new ArrayList<>();
        types.add("i64");
        for (int j = 1; j < words; j++) {
            types.add(WORD_TYPES[rnd.nextInt(WORD_TYPES.length)]);
        }
        for (int j = 0; j < strs; j++) {
            types.add("str");
        }
        // shuffled, the counter's place kept
        for (int j = types.size() - 1; j > 0; j--) {
            int k = rnd.nextInt(j + 1);
            String t = types.get(j);
            types.set(j, types.get(k));
            types.set(k, t);
        }
        int argc = types.size();
        int counter = types.indexOf("i64") + 1;
        StringBuilder s = new StringBuilder("program wordparams\nfunc f(");
        List<Value> args = new ArrayList<>();
        for (int j = 0; j < argc; j++) {
            s.append(j == 0 ? "" : ", ").append("a").append(j + 1).append(": ").append(types.get(j));
            int reg = j + 1;
            args.add(switch (types.get(j)) {
                case "i64" -> Value.i64(reg == counter ? (linear ? 30 + rnd.nextInt(30) : 2 + rnd.nextInt(5))
                        : rnd.nextInt(100) - 50);
                case "u64" -> Value.u64(rnd.nextInt(100));
                case "bool" -> Value.bool(rnd.nextBoolean());
                case "f64" -> Value.f64(rnd.nextInt(40) / 4.0);
                default -> Value.str("s".repeat(rnd.nextInt(5)));
            });
        }
        s.append(") -> (i64) {\n");
        int[] next = {argc + 1};
        String c = reg(next);
        String zero = reg(next);
        String one = reg(next);
        String two = reg(next);
        String t = reg(next);
        s.append("    const.i64 ").append(zero).append(", 0\n")
                .append("    const.i64 ").append(one).append(", 1\n")
                .append("    const.i64 ").append(two).append(", 2\n")
                .append("    i64.lt ").append(c).append(", r").append(counter).append(", ").append(two).append('\n')
                .append("    br ").append(c).append(", small, big\n")
                .append("small:\n");
        // every argument weighed by its place
        String acc = reg(next);
        String w = reg(next);
        s.append("    const.i64 ").append(acc).append(", 0\n");
        for (int j = 0; j < argc; j++) {
            String a = "r" + (j + 1);
            s.append("    const.i64 ").append(w).append(", ").append(2 * j + 3).append('\n');
            switch (types.get(j)) {
                case "i64" -> s.append("    i64.mul ").append(t).append(", ").append(a).append(", ").append(w).append('\n');
                case "u64" -> s.append("    u64.to_i64 ").append(t).append(", ").append(a).append('\n')
                        .append("    i64.mul ").append(t).append(", ").append(t).append(", ").append(w).append('\n');
                case "bool" -> s.append("    select ").append(t).append(", ").append(a).append(", ").append(w)
                        .append(", ").append(one).append('\n');
                case "f64" -> s.append("    f64.to_i64 ").append(t).append(", ").append(a).append('\n')
                        .append("    i64.mul ").append(t).append(", ").append(t).append(", ").append(w).append('\n');
                default -> {
                    String u = reg(next);
                    s.append("    str.len ").append(u).append(", ").append(a).append('\n')
                            .append("    u64.to_i64 ").append(t).append(", ").append(u).append('\n')
                            .append("    i64.mul ").append(t).append(", ").append(t).append(", ").append(w).append('\n');
                }
            }
            s.append("    i64.add ").append(acc).append(", ").append(acc).append(", ").append(t).append('\n');
        }
        if (rnd.nextInt(3) == 0) {
            // traps when acc is a multiple of 7, after the arguments are read
            s.append("    const.i64 ").append(w).append(", 7\n")
                    .append("    i64.rem ").append(t).append(", ").append(acc).append(", ").append(w).append('\n')
                    .append("    i64.div ").append(t).append(", ").append(acc).append(", ").append(t).append('\n')
                    .append("    i64.add ").append(acc).append(", ").append(acc).append(", ").append(t).append('\n');
        }
        s.append("    ret r0, [").append(acc).append("]\n")
                .append("big:\n");
        // each argument changed for the first call
        String[] first = new String[argc];
        String half = reg(next);
        String uone = reg(next);
        s.append("    const.f64 ").append(half).append(", 0.5\n")
                .append("    const.u64 ").append(uone).append(", 1\n");
        for (int j = 0; j < argc; j++) {
            String a = "r" + (j + 1);
            if (j + 1 == counter) {
                first[j] = reg(next);
                s.append("    i64.sub ").append(first[j]).append(", ").append(a).append(", ").append(one).append('\n');
                continue;
            }
            first[j] = types.get(j).equals("str") ? a : reg(next);
            switch (types.get(j)) {
                case "i64" -> s.append("    i64.add ").append(first[j]).append(", ").append(a).append(", r")
                        .append(counter).append('\n');
                case "u64" -> s.append("    u64.add ").append(first[j]).append(", ").append(a).append(", ")
                        .append(uone).append('\n');
                case "bool" -> s.append("    bool.not ").append(first[j]).append(", ").append(a).append('\n');
                case "f64" -> s.append("    f64.add ").append(first[j]).append(", ").append(a).append(", ")
                        .append(half).append('\n');
                default -> {
                }
            }
        }
        String x = reg(next);
        call(s, first, x);
        String res = reg(next);
        if (linear) {
            s.append("    const.i64 ").append(w).append(", 3\n")
                    .append("    i64.mul ").append(res).append(", ").append(x).append(", ").append(w).append('\n')
                    .append("    i64.add ").append(res).append(", ").append(res).append(", r").append(counter).append('\n');
        } else {
            // the second call: the counter less 2, the arguments of each type rotated
            String[] second = new String[argc];
            for (int j = 0; j < argc; j++) {
                second[j] = "r" + (j + 1);
            }
            for (String type : new String[] {"i64", "u64", "bool", "f64", "str"}) {
                List<Integer> at = new ArrayList<>();
                for (int j = 0; j < argc; j++) {
                    if (types.get(j).equals(type) && j + 1 != counter) {
                        at.add(j);
                    }
                }
                for (int k = 0; k < at.size(); k++) {
                    second[at.get(k)] = "r" + (at.get((k + 1) % at.size()) + 1);
                }
            }
            second[counter - 1] = reg(next);
            s.append("    i64.sub ").append(second[counter - 1]).append(", r").append(counter).append(", ")
                    .append(two).append('\n');
            String y = reg(next);
            call(s, second, y);
            s.append("    const.i64 ").append(w).append(", 3\n")
                    .append("    i64.mul ").append(res).append(", ").append(x).append(", ").append(w).append('\n')
                    .append("    i64.add ").append(res).append(", ").append(res).append(", ").append(y).append('\n');
        }
        s.append("    ret r0, [").append(res).append("]\n}\n");
        return new Tiers.Generated(s.toString(), args);
    }

    private static String reg(int[] next) {
        return "r" + next[0]++;
    }

    private static void call(StringBuilder s, String[] args, String dst) {
        s.append("    call r0, f, r0, [").append(String.join(", ", args)).append("] -> [").append(dst).append("]\n");
    }

    /**
     * {@link #program}'s recursion as function 1, called by a main function with the same
     * arguments: the self-calls pass a function id other than 0 in their packed parameter
     * ({@code WordParams.desc}), which the trap and hand-over handlers report.
     */
    static Tiers.Generated second(long seed) {
        Tiers.Generated g = program(seed);
        String[] lines = g.source().split("\n", 3);
        int argc = g.args().size();
        StringBuilder regs = new StringBuilder();
        for (int reg = 1; reg <= argc; reg++) {
            regs.append(reg == 1 ? "" : ", ").append('r').append(reg);
        }
        String main = lines[1].replaceFirst("func f\\(", "func main(") + "\n    call r0, f, r0, [" + regs
                + "] -> [r" + (argc + 1) + "]\n    ret r0, [r" + (argc + 1) + "]\n}\n";
        return new Tiers.Generated(lines[0] + "\n" + main + lines[1] + "\n" + lines[2], g.args());
    }

    /**
     * The recursion as function 1 ({@link #second}): every fuel limit, heap limits and pauses at
     * every slice with the snapshots restored, on both tiers.
     */
    @Test
    void aRecursionOtherThanFunctionZero() throws Exception {
        Tiers.fuelAndHeapSweep(300, 330, JitWordParamsTest::second, (g, vp, t, full, what) ->
                assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
        int pauses = Tiers.pauseSweep(330, 345, JitWordParamsTest::second);
        assertTrue(pauses >= 200, "pauses " + pauses);
    }

    /** Every fuel limit from 0 to one past what the run uses (and heap limits) on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 50, JitWordParamsTest::program, (g, vp, t, full, what) ->
                assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
    }

    /**
     * Every call-depth limit from 0 to 4, every register limit from 1 to 80, then register limits
     * up to past what the deepest recursions use.
     */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 140, JitWordParamsTest::program);
        for (long seed = 140; seed < 170; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            for (int regs = 81; regs <= 4_000; regs += 37) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxRegisters(regs), "seed " + seed + " regs " + regs
                        + "\n" + g.source());
            }
        }
    }

    /** Pauses at every slice of 1 to 12 fuel, the snapshots compared and restored on both tiers. */
    @Test
    void pausesWithArgumentsInParameters() throws Exception {
        int pauses = Tiers.pauseSweep(200, 250, JitWordParamsTest::program);
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }

    /**
     * The linear recursions run deeper than the compiled frames' Java stack: their calls hand over
     * to the interpreter with the word arguments written to the callee's registers, and the
     * result is the interpreter's; and the generator makes each kind of program.
     */
    @Test
    void deepRecursionsHandOverWithTheirArguments() throws Exception {
        int linear = 0;
        int nine = 0;
        for (long seed = 300; seed < 340; seed++) {
            Tiers.Generated g = program(seed);
            linear += g.source().contains("call r0, f") && g.source().indexOf("call r0, f")
                    == g.source().lastIndexOf("call r0, f") ? 1 : 0;
            nine += g.source().split("\n")[1].split(": (i64|u64|bool|f64)").length > 9 ? 1 : 0;
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            t.check(0, g.args(), Limits.DEFAULT, "seed " + seed + "\n" + g.source());
        }
        assertTrue(linear >= 5, "linear " + linear);
        assertTrue(nine >= 1, "nine word arguments " + nine);
    }

    /**
     * fib's method takes its argument as a {@code long} parameter ahead of the seven packed into five
     * (depth and stack, resume index and function id in a {@code long} each), with a trampoline of
     * the usual descriptor; a function that does not call itself keeps the usual one.
     */
    @Test
    void fibTakesItsArgumentAsAParameter() throws Exception {
        String src = Files.readString(Path.of("../examples/fib.tasm"));
        JitTier tier = (JitTier) Jit.compile(JitLeafInlineTest.verified(src), Host.NONE).tier;
        String pool = new String(JitTestAccess.generate(tier.view, 0).bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(pool.contains("(JLdev/tape/vm/Vm;Ldev/tape/vm/ExecutionContext;IJJ)J"), "word parameter");
        assertTrue(pool.contains("(Ldev/tape/vm/Vm;Ldev/tape/vm/ExecutionContext;IIIII)J"), "trampoline");
        VerifiedProgram other = JitLeafInlineTest.verified("""
                program other
                func main(n: i64) -> (i64) {
                    call r0, g, r0, [r1] -> [r2]
                    ret r0, [r2]
                }
                func g(n: i64) -> (i64) {
                    i64.add r2, r1, r1
                    ret r0, [r2]
                }
                """);
        JitTier t2 = (JitTier) Jit.compile(other, Host.NONE).tier;
        String pool2 = new String(JitTestAccess.generate(t2.view, 0).bytes(), StandardCharsets.ISO_8859_1);
        assertFalse(pool2.contains("(JLdev/tape/vm/Vm;"), "no self-call, no word parameters");
        assertEquals(List.of(Value.i64(75025)).toString(),
                Tiers.of(JitLeafInlineTest.verified(src), Host.NONE)
                        .check(0, List.of(Value.i64(25)), Limits.DEFAULT, "fib 25").results().toString());
    }
}
