package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pieces of the counted-loop tests' programs ({@code CountedLoop}) that several tests share:
 * leaf texts, the header of a {@code main} that takes and returns every register, the
 * straight-line-then-loop method of the size tests, a word argument of either type and the count
 * of a method's chunk preambles. Texts use {@code T} for the word type where the tests replace it
 * ({@code i64} or {@code u64}). Used by {@link JitCountedLoopTest}, {@link AttackCountedLoopExactTest},
 * {@link AttackManyCountedLoopsTest}, {@link AttackCountedLoopGuardsTest},
 * {@link JitFallbackStepsTest}, and for the f64 loops' one shape ({@link #loop}) by
 * {@link JitCountedF64LoopTest}, {@link AttackCountedF64Test} and {@link JitCountedF64LocalsTest}.
 */
final class CountedLoopPrograms {
    private CountedLoopPrograms() {}

    /**
     * A program of one function {@code main} with one counted loop, the f64 loop tests' shape:
     * <pre>
     * program NAME
     * func main(SIGNATURE {
     * SETUP
     *     COMPARE
     *     br c, top, done
     * top:
     * BODY
     *     STEP
     *     COMPARE
     *     br c, top, done
     * done:
     *     ret r0, [RETS]
     * }
     * </pre>
     * where {@code c} is the compare's destination.
     *
     * @param name the program's name
     * @param signature the parameters and results after {@code main(}, e.g. {@code "n: i64) -> (f64)"}
     * @param setup the lines before the loop (each indented, each ending in a newline)
     * @param compare the loop's compare, e.g. {@code "i64.lt r9, r7, r1"}
     * @param body the loop's lines before its step (indented, each ending in a newline)
     * @param step the index's add, e.g. {@code "i64.add r7, r7, r8"}
     * @param rets the registers returned, e.g. {@code "r4, r7"}
     * @return the program's text
     */
    static String loop(String name, String signature, String setup, String compare, String body, String step,
            String rets) {
        String c = compare.trim().split("[ ,]+")[1];
        return "program " + name + "\nfunc main(" + signature + " {\n" + setup
                + "    " + compare + "\n    br " + c + ", top, done\ntop:\n" + body
                + "    " + step + "\n    " + compare + "\n    br " + c + ", top, done\ndone:\n"
                + "    ret r0, [" + rets + "]\n}\n";
    }

    /** The chunk's size ({@code CountedLoop.CHUNK}), in trips. */
    static final int CHUNK = JitTestAccess.countedLoopChunk();

    /** A leaf {@code inc(x: T) -> (T)}: {@code x + 1}, 3 instructions. */
    static final String INC = """
            func inc(x: T) -> (T) {
                const.T r2, 1
                T.add r3, r1, r2
                ret r0, [r3]
            }
            """;

    /**
     * A leaf {@code pick(x: T, y: T) -> (T)} of two paths of different fuel: {@code y} when x is
     * even (6 instructions), else {@code ((x + y) ^ 1) * y} (9), or, with {@code sub}, that less
     * {@code x} (10).
     *
     * @param sub whether the odd path ends with {@code T.sub r7, r7, r1}
     * @return the leaf's text
     */
    static String pick(boolean sub) {
        return """
                func pick(x: T, y: T) -> (T) {
                    const.T r3, 1
                    T.and r4, r1, r3
                    const.T r5, 0
                    T.eq r6, r4, r5
                    br r6, even, odd
                odd:
                    T.add r7, r1, r2
                    T.xor r7, r7, r3
                    T.mul r7, r7, r2
                """ + (sub ? "    T.sub r7, r7, r1\n" : "") + """
                    ret r0, [r7]
                even:
                    ret r0, [r2]
                }
                """;
    }

    /**
     * Starts a program whose {@code main} takes and returns registers r1 to r{@code words} of type
     * {@code T} and the three after them of type {@code bool}: {@code program <name>} and the
     * function's first line.
     *
     * @param name the program's name
     * @param words how many word registers, from r1
     * @return a builder holding the two lines
     */
    static StringBuilder mainHeader(String name, int words) {
        StringBuilder s = new StringBuilder("program " + name + "\nfunc main(");
        for (int r = 1; r <= words; r++) {
            s.append("p").append(r).append(": T, ");
        }
        s.append("b").append(words + 1).append(": bool, b").append(words + 2).append(": bool, b").append(words + 3)
                .append(": bool) -> (");
        for (int r = 1; r <= words; r++) {
            s.append("T, ");
        }
        return s.append("bool, bool, bool) {\n");
    }

    /**
     * {@code main(n)}: {@code filler} straight-line word instructions (with {@code leaf}, a call
     * of the leaf {@code small} instead of every 40th, from the first), then a loop of 14 word
     * instructions whose index goes up by 1 to {@code n}: by {@code i64.add r2, r2, r3} with
     * {@code r3 = 1} ({@code counted}: a loop a chunk runs), else by {@code i64.sub r2, r2, r3}
     * with {@code r3 = -1}, the same loop in the same bytes of the blocks, which is no counted
     * loop. No call is on the loop, so nothing is peeled.
     *
     * @param filler how many instructions before the loop
     * @param counted whether the loop is counted
     * @param leaf whether calls of {@code small(x) = x + 3} are among the filler
     * @return the program's text
     */
    static String sized(int filler, boolean counted, boolean leaf) {
        StringBuilder s = new StringBuilder("program sized\nfunc main(n: i64) -> (i64) {\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, ").append(counted ? 1 : -1).append('\n');
        for (int r = 4; r <= 20; r++) {
            s.append("    const.i64 r").append(r).append(", ").append(r).append('\n');
        }
        for (int k = 0; k < filler; k++) {
            int d = 4 + k % 17;
            if (leaf && k % 40 == 0) {
                s.append("    call r0, small, r0, [r").append(d).append("] -> [r").append(d).append("]\n");
            } else {
                s.append("    i64.").append(k % 3 == 0 ? "xor" : "add").append(" r").append(d).append(", r")
                        .append(4 + (k * 7) % 17).append(", r").append(4 + (k * 5 + 3) % 17).append('\n');
            }
        }
        s.append("    i64.lt r21, r2, r1\n    br r21, top, done\ntop:\n");
        for (int k = 0; k < 14; k++) {
            s.append("    i64.xor r").append(4 + k).append(", r").append(5 + k).append(", r2\n");
        }
        s.append(counted ? "    i64.add r2, r2, r3\n" : "    i64.sub r2, r2, r3\n");
        s.append("    i64.lt r21, r2, r1\n    br r21, top, done\ndone:\n    ret r0, [r4]\n}\n");
        if (leaf) {
            s.append("""
                    func small(x: i64) -> (i64) {
                        const.i64 r2, 3
                        i64.add r3, r1, r2
                        ret r0, [r3]
                    }
                    """);
        }
        return s.toString();
    }

    /**
     * Fuel limits that end a run of a counted loop near its chunks' edges: within one trip's fuel
     * (plus 2) of 1, 2, {@code CHUNK - 1}, {@code CHUNK}, {@code CHUNK + 1}, {@code trips - 1} and
     * {@code trips} trips, and the last 40 units before the run's end and one past it.
     *
     * @param used the fuel the whole run uses
     * @param trips the loop's trips in that run (at least 1)
     * @return the limits, in that order, some possibly negative (callers skip those); around
     *     {@code CHUNK} trips the neighbouring edges' windows overlap and about half the limits are
     *     listed twice ({@link #distinctChunkFuels} lists each once)
     */
    static List<Long> chunkFuels(long used, long trips) {
        long per = used / trips;
        List<Long> fuels = new ArrayList<>();
        for (long m : new long[] {1, 2, CHUNK - 1, CHUNK, CHUNK + 1, trips - 1, trips}) {
            for (long d = -per - 2; d <= per + 2; d++) {
                fuels.add(m * per + d);
            }
        }
        for (long d = -40; d <= 1; d++) {
            fuels.add(used + d);
        }
        return fuels;
    }

    /**
     * {@link #chunkFuels} with each limit once, in the order of its first listing (a repeated limit
     * only repeats the same run), negative ones left out.
     *
     * @param used the fuel the whole run uses
     * @param trips the loop's trips in that run (at least 1)
     * @return the limits, a mutable list
     */
    static List<Long> distinctChunkFuels(long used, long trips) {
        Set<Long> fuels = new LinkedHashSet<>();
        for (long fuel : chunkFuels(used, trips)) {
            if (fuel >= 0) {
                fuels.add(fuel);
            }
        }
        return new ArrayList<>(fuels);
    }

    /**
     * @param ty {@code i64} or {@code u64}
     * @param v the word's bits
     * @return the word of that type
     */
    static Value word(String ty, long v) {
        return ty.equals("u64") ? Value.u64(v) : Value.i64(v);
    }

    /**
     * @param p a verified program
     * @return the chunk preambles in function 0's compiled method (each calls {@code Math.min} once)
     */
    static int preambles(VerifiedProgram p) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        return preambles(tier, 0);
    }

    /**
     * @param tier a compiled tier
     * @param func a function index
     * @return the chunk preambles in that function's method (each calls {@code Math.min} once)
     */
    static int preambles(JitTier tier, int func) {
        return JitTestAccess.methodCalls(JitTestAccess.generate(tier.view, func).bytes(), "java/lang/Math", "min");
    }
}
