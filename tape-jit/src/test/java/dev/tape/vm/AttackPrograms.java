package dev.tape.vm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The pieces the round attacks' program generators share: the generated program with its entry's
 * arguments, main's first registers, the host functions' declarations and the fixed functions
 * ({@code walk}, {@code rec}, {@code big}, {@code heavy}, {@code plain}) several generators and
 * {@link JitFallbackStepsTest} append. Each piece draws from the
 * random source exactly as the copies it replaced did, so a seed still makes the same program.
 * Test support only.
 */
final class AttackPrograms {
    /**
     * The six word host functions of the attack hosts ({@code w.f}, {@code w.g}, {@code w.h},
     * {@code w.p}, {@code w.w}, {@code w.x}; see {@link AttackAllDriver}) declared as {@code hf},
     * {@code hg}, {@code hh}, {@code hp}, {@code hw} and {@code hx}.
     */
    static final String SIX_HOSTS = "host hf = \"w.f\" (i64) -> (i64)\nhost hg = \"w.g\" (i64, i64) -> (i64)\n"
            + "host hh = \"w.h\" (i64, i64, i64) -> (i64)\nhost hp = \"w.p\" (i64) -> (bool)\n"
            + "host hw = \"w.w\" (i64, i64) -> (i64, i64)\nhost hx = \"w.x\" (i64) -> (i64)\n";

    /**
     * {@code walk}: sums {@code xs} from index {@code j} while the raised index stays below {@code end},
     * the looping callee {@code LoopInliner} inlines and {@code LoopBounds} proves (the program
     * declares the array type {@code A}).
     */
    static final String WALK = """
            func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {
            top:
                array.get r5, r1, r2
                i64.add r3, r3, r5
                const.u64 r6, 1
                u64.add r2, r2, r6
                u64.lt r7, r2, r4
                br r7, top, out
            out:
                ret r0, [r3]
            }
            """;

    /**
     * {@code big(x, y)}: a leaf of ten word instructions and its {@code ret}, the largest of the
     * size fallback tests' leaves (the one the fallback drops first).
     */
    static final String BIG = """
            func big(x: i64, y: i64) -> (i64) {
                i64.mul r3, r1, r2
                i64.xor r4, r3, r1
                i64.add r5, r4, r2
                i64.sub r6, r5, r3
                i64.mul r7, r6, r4
                i64.or r8, r7, r5
                i64.and r9, r8, r1
                i64.add r10, r9, r6
                const.i64 r11, 1000003
                i64.xor r12, r10, r11
                ret r0, [r12]
            }
            """;

    /**
     * {@code rec(d, x)}: x when d is at most 0, else {@code rec(d - 1, x + d)} through a struct
     * {@code S} of two i64 fields built in each frame (the program declares {@code S}).
     */
    static final String REC_STRUCT = """
            func rec(d: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                i64.le r4, r1, r3
                br r4, base, step
            base:
                ret r0, [r2]
            step:
                const.i64 r5, 1
                i64.sub r6, r1, r5
                struct.new r7, S, [r2, r1]
                struct.get r8, r7, 1
                i64.add r9, r2, r8
                call r0, rec, r0, [r6, r9] -> [r10]
                ret r0, [r10]
            }
            """;

    /** {@code rec(d, x)} as {@link #REC_STRUCT}, through a tuple built in each frame. */
    static final String REC_TUPLE = REC_STRUCT.replace("struct.new r7, S,", "tuple.new r7,")
            .replace("struct.get", "tuple.get");

    /**
     * {@code heavy(env, x)}, a closure's function that is no leaf ({@code plain(x / 3)}), and
     * {@code plain(x)}, {@code x + 5}.
     */
    static final String HEAVY_PLAIN = """
            func heavy(env: agg tuple(i64), x: i64) -> (i64) {
                const.i64 r3, 3
                i64.div r3, r2, r3
                call r0, plain, r0, [r3] -> [r4]
                ret r0, [r4]
            }
            func plain(x: i64) -> (i64) {
                const.i64 r2, 5
                i64.add r2, r1, r2
                ret r0, [r2]
            }
            """;

    private AttackPrograms() {
    }

    /**
     * A generated program and its entry's arguments.
     *
     * @param source the program's assembly
     * @param n main's first argument (turns of its loop)
     * @param x main's second argument
     * @param d main's third argument (a recursion's depth)
     */
    record Generated(String source, long n, long x, long d) {
        /** @return the entry's arguments: n, x and d */
        long[] argv() {
            return new long[] {n, x, d};
        }

        /**
         * @param seed the seed that made the program
         * @return what a failure's message names: the seed, the arguments and the program
         */
        String what(long seed) {
            return "seed " + seed + " args " + Arrays.toString(argv()) + "\n" + source;
        }
    }

    /**
     * Main's first registers over its arguments {@code (n, x, d)} in r1 to r3: r4 (the sum) and r5
     * (the turn) 0, r6 1, r7 x, r8 a random 0 to 4 (one draw from {@code rnd}), r9 2.
     *
     * @param s the program so far
     * @param rnd the generator's random source
     * @return {@code s}
     */
    static StringBuilder mainStart(StringBuilder s, SplittableRandom rnd) {
        return s.append("    const.i64 r4, 0\n    const.i64 r5, 0\n    const.i64 r6, 1\n    mov r7, r2\n    const.i64 r8, ")
                .append(rnd.nextInt(5)).append("\n    const.i64 r9, 2\n");
    }

    /**
     * Elements of an {@code array.new}: {@code len} of the word registers r4 to r7, one draw from
     * {@code rnd} each.
     *
     * @return the list, such as {@code [r4, r6]}
     */
    static String elements(SplittableRandom rnd, int len) {
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < len; j++) {
            s.append(j == 0 ? "" : ", ").append("r").append(4 + rnd.nextInt(4));
        }
        return s.append("]").toString();
    }
}
