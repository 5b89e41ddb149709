package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The twelfth round's changes together: the interpreter's decimal runs ({@code DecimalRun}) in a
 * function too large for the compiled tier ({@code JitTier.MAX_CODE_INTS}, 8,192 lowered ints: it
 * stays interpreted while its callers are compiled, so every call of it is a hand-over between
 * tiers), {@code bytes.to_str}'s check in chunks ({@code Texts.validUtf8}) on strings longer than a
 * chunk cut across a multi-byte character at and around the chunk's end, host calls that suspend
 * right after a decimal run ({@code HostSuspension}), closures, structs holding decimals and more
 * decimal registers than the interpreter's list of unboxed slots holds, written inside one long
 * decimal run; main also calls {@code walk} (a looping callee the compiled tier inlines) and a
 * decimal leaf. {@link AttackAllDriver} writes the transcripts on the interpreter, the compiled tier
 * and the interpreter stepped one instruction at a time (every fuel limit and heap, depth and host
 * limit; each fuel pause's snapshot restored on the other way, so a pause inside the big function's
 * decimal run resumes compiled and the reverse; slices, forks; a reused context); they must agree line by line, none may end in {@code internal_error}, and with
 * {@code -Dtape.before.jar=FILE} (a build before the round, 6a4249e, where the big function was
 * handed to the generator and its decimal instructions ran one at a time in {@code execute}) the old build's
 * transcripts must equal these.
 *
 * <p>{@code -Dattack.twelve.from=N -Dattack.twelve.seeds=M} runs other seeds. On 0ef80da (main after
 * the round) nothing differed between the ways or against 6a4249e in seeds 0 to 99.
 */
class AttackRoundTwelveTogetherTest {
    /** main's decimal registers of scale 2 */
    private static final String[] DECS = {"r10", "r11", "r17"};

    /** The string main slices: 13 UTF-8 bytes, of them a 2-byte and two 3-byte characters. */
    private static final String TEXT = "h\u00e9llo \u65e5\u672c";

    private static String dec(SplittableRandom rnd) {
        return DECS[rnd.nextInt(DECS.length)];
    }

    /**
     * {@code big(a, k, b) -> (dec, i64)}: a decimal loop of {@code trips} turns (dec.add, an
     * occasional dec.mul, i64 counting, the fused compare-and-branch), then, unless {@code k} is
     * negative (never), or when {@code k mod 3 = 0} (executed), a block of {@code pad} pairs of
     * decimal and word instructions that makes the function too large to compile; with
     * {@code wide}, the block writes 80 decimal registers (more than the 64 unboxed slots).
     */
    private static String big(SplittableRandom rnd, int trips, int pad, boolean wide) {
        StringBuilder s = new StringBuilder("func big(a: dec, k: i64, b: dec) -> (dec, i64) {\n"
                + "    const.i64 r4, 0\n    const.i64 r5, 1\n    const.i64 r6, ").append(trips)
                .append("\n    const.i64 r7, 0\n    i64.to_dec r8, r2, 2\n    const.decimal r9, 0, 4\n    jmp loop\nloop:\n")
                .append("    dec.add r1, r1, r8\n");
        if (rnd.nextInt(3) == 0) {
            s.append("    dec.mul r9, r8, r3\n");
        }
        s.append("    dec.sub r1, r1, r3\n    i64.add r4, r4, r5\n    i64.lt r10, r4, r6\n    br r10, loop, next\n"
                + "next:\n    const.i64 r12, 3\n    i64.rem r12, r2, r12\n    const.i64 r13, 0\n    i64.eq r11, r12, r13\n");
        if (rnd.nextBoolean()) {
            // never taken
            s.append("    i64.lt r11, r2, r13\n");
        }
        s.append("    br r11, pad, end\npad:\n");
        for (int i = 0; i < pad; i++) {
            if (wide && i < 80) {
                s.append(i % 2 == 0 ? "    i64.to_dec r" + (20 + i) + ", r4, 2\n"
                        : "    dec.add r" + (20 + i) + ", r1, r8\n");
            } else {
                s.append(switch ((i + trips) % 5) {
                    case 0 -> "    dec.add r1, r1, r8\n";
                    case 1 -> "    i64.add r7, r7, r5\n";
                    case 2 -> "    dec.sub r1, r1, r3\n";
                    case 3 -> "    i64.sub r7, r7, r4\n";
                    default -> i % 97 == 3 ? (trips % 3 == 0 ? "    dec.mul r9, r1, r1\n" : "    dec.mul r9, r8, r8\n")
                            : "    i64.mul r4, r4, r5\n";
                });
            }
        }
        if (wide) {
            for (int i = 1; i < 80 && i < pad; i += 2) {
                s.append("    dec.add r1, r1, r").append(20 + i).append('\n');
            }
        }
        return s.append("    jmp end\nend:\n    ret r0, [r1, r7]\n}\n").toString();
    }

    /**
     * A {@code bytes.to_str} of a slice of {@code TEXT} doubled 10 times (13,312 bytes): the slice
     * starts at 0 or inside the first copy and ends at, just before or just after 8,192 (a chunk's
     * worth of chars), or at the end; some of those cut a character (utf8 trap), some do not.
     */
    private static String text(SplittableRandom rnd) {
        long from = rnd.nextInt(3) == 0 ? rnd.nextInt(14) : 0;
        long to = switch (rnd.nextInt(4)) {
            case 0 -> 8192 + rnd.nextInt(7) - 3;
            case 1 -> 8192 + 13 * rnd.nextInt(3) - rnd.nextInt(4);
            case 2 -> 13 * 1024;
            default -> 13 * 1024 - rnd.nextInt(3);
        };
        return "    const.u64 r30, " + from + "\n    const.u64 r31, " + to
                + "\n    bytes.slice r25, r13, r30, r31\n    bytes.to_str r26, r25\n    str.len r28, r26\n"
                + "    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n";
    }

    private static String item(SplittableRandom rnd) {
        return switch (rnd.nextInt(13)) {
            case 11 -> "    array.new r42, A, [r4, r5, r7]\n    const.u64 r43, " + rnd.nextInt(3)
                    + "\n    array.len r44, r42\n    call r0, walk, r0, [r42, r43, r4, r44] -> [r21]\n"
                    + "    i64.add r4, r4, r21\n";
            case 12 -> "    call r0, dl, r0, [" + dec(rnd) + ", " + dec(rnd) + "] -> [" + dec(rnd) + "]\n";
            case 0, 1 -> "    call r0, big, r0, [" + dec(rnd) + ", r5, " + dec(rnd) + "] -> [" + dec(rnd) + ", r21]\n"
                    + "    i64.add r4, r4, r21\n";
            case 2 -> "    call r0, mid, r0, [" + dec(rnd) + ", r5] -> [" + dec(rnd) + "]\n";
            // a suspending host call right after a decimal run (w.w suspends for a mod 9 = 4)
            case 3 -> "    i64.to_dec r17, r5, 2\n    dec.add r10, r10, r17\n    dec.mul r18, r17, r11\n"
                    + "    host_call r0, hw, r0, [r5, r7] -> [r21, r22]\n    i64.add r4, r4, r22\n";
            case 4 -> text(rnd);
            case 5 -> "    call.indirect r0, one, r16, r0, [r5] -> [r21]\n    i64.add r4, r4, r21\n";
            case 6 -> "    struct.new r20, L, [r5, " + dec(rnd) + "]\n    struct.get r17, r20, 1\n    dec.add "
                    + dec(rnd) + ", r17, " + dec(rnd) + "\n";
            case 7 -> "    host_call r0, hf, r0, [r5] -> [r21]\n    i64.to_dec r17, r21, 2\n    dec.sub r11, r11, r17\n";
            case 8 -> "    const.decimal " + dec(rnd) + ", " + (rnd.nextInt(4001) - 2000) + ", 2\n";
            case 9 -> "    i64.to_dec r17, r5, 2\n    dec.mul r18, r17, r17\n    dec.add r10, r10, r17\n"
                    + "    mov r11, r10\n";
            default -> "    i64.to_dec r17, r8, 0\n    dec.to_i64 r21, r17\n    i64.add r4, r4, r21\n";
        };
    }

    /** The program of a seed: main(n, x, d) -> (i64, dec), d unused but for the driver's depth limits. */
    static AttackPrograms.Generated program(long seed) {
        return program(seed, 0);
    }

    /**
     * @param pad how many instructions of main's never-taken block (0 for none): near 2,000, main's
     *     own lowered code comes near {@code JitTier.MAX_CODE_INTS} and its method near the
     *     generator's limit, so it compiles at one of the size fallback's steps or not at all
     */
    static AttackPrograms.Generated program(long seed, int pad) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 12);
        StringBuilder s = new StringBuilder("program all12\narray A = i64\nstruct L = { qty: i64, price: dec }\n"
                + "callsig one = (i64) -> (i64)\n")
                .append(AttackPrograms.SIX_HOSTS)
                .append("func main(n: i64, x: i64, d: i64) -> (i64, dec) {\n");
        AttackPrograms.mainStart(s, rnd);
        s.append("    const.decimal r10, ").append(rnd.nextInt(2001) - 1000).append(", 2\n")
                .append("    const.decimal r11, ").append(rnd.nextInt(2001) - 1000).append(", 2\n")
                .append("    const.pool r12, str:\"").append(TEXT).append("\"\n    str.to_bytes r13, r12\n");
        for (int i = 0; i < 10; i++) {
            s.append("    bytes.concat r13, r13, r13\n");
        }
        s.append("    const.func r14, cl\n    tuple.new r15, [r7]\n    closure.new r16, r14, r15\n")
                .append("    const.decimal r17, 0, 2\n    const.decimal r18, 0, 4\n    const.i64 r21, 0\n")
                .append("    const.i64 r22, 0\n    struct.new r20, L, [r5, r10]\n    const.u64 r28, 0\n")
                .append("    array.new r42, A, [r4]\n    const.u64 r43, 0\n    const.u64 r44, 0\n");
        if (pad > 0) {
            s.append("    const.i64 r40, -1\n    i64.lt r41, r1, r40\n    br r41, mpad, top0\nmpad:\n");
            for (int i = 0; i < pad; i++) {
                s.append(switch (i % 4) {
                    case 0 -> "    dec.add r10, r10, r11\n";
                    case 1 -> "    i64.add r4, r4, r6\n";
                    case 2 -> "    dec.sub r11, r11, r10\n";
                    default -> "    i64.mul r4, r4, r9\n";
                });
            }
            s.append("    jmp top0\ntop0:\n");
        }
        s.append("    jmp top\ntop:\n");
        int items = 2 + rnd.nextInt(4);
        int bigAt = rnd.nextInt(items + 1);
        for (int i = 0; i < items; i++) {
            if (i == bigAt) {
                s.append("    call r0, big, r0, [r10, r5, r11] -> [r10, r21]\n    i64.add r4, r4, r21\n");
            }
            s.append(item(rnd));
        }
        s.append("    i64.add r5, r5, r6\n    i64.lt r19, r5, r1\n    br r19, top, out\nout:\n")
                .append("    ret r0, [r4, r10]\n}\n");
        s.append(AttackPrograms.WALK).append("""
                func dl(a: dec, b: dec) -> (dec) {
                    dec.add r3, r1, r2
                    dec.sub r3, r3, r2
                    dec.add r3, r3, r2
                    ret r0, [r3]
                }
                func mid(a: dec, k: i64) -> (dec) {
                    i64.to_dec r3, r2, 2
                    dec.add r1, r1, r3
                    call r0, big, r0, [r1, r2, r3] -> [r1, r4]
                    dec.sub r1, r1, r3
                    ret r0, [r1]
                }
                func cl(env: agg tuple(i64), x: i64) -> (i64) {
                    tuple.get r3, r1, 0
                    i64.to_dec r4, r2, 0
                    dec.add r4, r4, r4
                    dec.to_i64 r5, r4
                    i64.add r5, r5, r3
                    ret r0, [r5]
                }
                """);
        boolean wide = rnd.nextInt(4) == 0;
        s.append(big(rnd, 1 + rnd.nextInt(12), 2_100 + rnd.nextInt(200), wide));
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(6), rnd.nextLong(), rnd.nextInt(3));
    }

    /** The generated {@code big} is too large to compile and the rest compile: every call of it is a hand-over. */
    @Test
    void bigStaysInterpretedWhileItsCallersCompile() throws Exception {
        for (long seed = 0; seed < 4; seed++) {
            VerifiedProgram p = JitLeafInlineTest.verified(program(seed).source());
            Vm jit = Jit.compile(p, Host.NONE, VmOptions.DEFAULT.withLazyLinking(true));
            int big = jit.funcs.length - 1;
            assertTrue(jit.funcs[big].codeLength() > JitTier.MAX_CODE_INTS, "big's lowered code");
            Jit.precompile(jit);
            assertEquals(jit.funcs.length - 1, Jit.compiledFunctions(jit), "all but big compiled");
        }
    }

    /**
     * The programs with main near the size limits ({@link #padded}): main compiles at one of the
     * size fallback's steps or stays interpreted with big ({@link #mainCompilesAtFallbackStepsOrNot}).
     * On 0ef80da nothing differed in seeds 0 to 29, nor in seeds 0 to 39 of blocks of 300 to 2,039
     * instructions (main compiled at 300 only).
     */
    @Test
    void mainNearTheSizeLimitsAgrees() throws Exception {
        TierCompare.sweep(TierCompare.Seeds.of("attack.twelve.pad", 4),
                AttackRoundTwelveTogetherTest::padded, g -> 0,
                (seed, g, what, now) -> { });
    }

    /**
     * The program of a seed with a never-run block of 200 to 359 instructions in main: main's
     * method is near the generator's limit.
     */
    static AttackPrograms.Generated padded(long seed) {
        return program(seed, 200 + Math.floorMod(seed * 37, 160));
    }

    /**
     * The padded programs of seeds 0 to 29 reach the size fallback's steps: main's method fits with
     * everything inline, at a later step, and at none (on 0ef80da: steps 0, 1, 3 and 4, and none).
     */
    @Test
    void mainCompilesAtFallbackStepsOrNot() throws Exception {
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (long seed = 0; seed < 30; seed++) {
            VerifiedProgram p = JitLeafInlineTest.verified(padded(seed).source());
            JitTier t = (JitTier) Jit.compile(p, Host.NONE, VmOptions.DEFAULT.withLazyLinking(true)).tier;
            seen.add(dev.tape.jit.JitTestAccess.steps(t.view, 0)[1]);
        }
        assertTrue(seen.contains(0) && seen.contains(-1) && seen.stream().anyMatch(k -> k > 0), seen.toString());
    }

    /**
     * A host that suspends every call of {@code w.w} (a, b), completed with (a + b, a - b).
     */
    private static HostRegistry suspending() {
        return new HostRegistry().registerWordArrays("w.w", Signature.of(List.of(ValueType.I64, ValueType.I64),
                List.of(ValueType.I64, ValueType.I64)), (a, out, ctx) -> {
                    if (ctx.canSuspend()) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = a[0] + a[1];
                    out[1] = a[0] - a[1];
                });
    }

    /**
     * main (compiled) calls {@code big} (too large: interpreted) in a loop; big's decimal run writes
     * {@code decimals} decimal registers and ends right before a host call that suspends.
     */
    static String suspendingProgram(int decimals) {
        StringBuilder s = new StringBuilder("program susp12\nhost hw = \"w.w\" (i64, i64) -> (i64, i64)\n"
                + "func main(n: i64) -> (dec, i64) {\n    const.decimal r2, 125, 2\n    const.i64 r3, 0\n"
                + "    const.i64 r4, 1\n    const.i64 r5, 0\n    jmp top\ntop:\n"
                + "    call r0, big, r0, [r2, r3] -> [r2, r6]\n    i64.add r5, r5, r6\n    i64.add r3, r3, r4\n"
                + "    i64.lt r7, r3, r1\n    br r7, top, out\nout:\n    ret r0, [r2, r5]\n}\n"
                + "func big(a: dec, k: i64) -> (dec, i64) {\n    i64.to_dec r3, r2, 2\n    const.i64 r4, 0\n"
                + "    const.i64 r5, 1\n    const.i64 r6, 3\n    jmp loop\nloop:\n    dec.add r1, r1, r3\n"
                + "    dec.mul r7, r3, r3\n    i64.add r4, r4, r5\n    i64.lt r8, r4, r6\n    br r8, loop, next\nnext:\n");
        for (int i = 0; i < decimals; i++) {
            s.append(i % 2 == 0 ? "    i64.to_dec r" + (20 + i) + ", r4, 2\n" : "    dec.add r" + (20 + i) + ", r1, r3\n");
        }
        s.append("    host_call r0, hw, r0, [r2, r4] -> [r9, r10]\n");
        for (int i = 0; i < decimals; i++) {
            s.append("    dec.add r1, r1, r").append(20 + i).append('\n');
        }
        s.append("    const.i64 r11, -1\n    i64.lt r12, r2, r11\n    br r12, pad, end\npad:\n");
        for (int i = 0; i < 2_100; i++) {
            s.append(i % 2 == 0 ? "    dec.add r1, r1, r3\n" : "    i64.add r9, r9, r5\n");
        }
        return s.append("    jmp end\nend:\n    ret r0, [r1, r9]\n}\n").toString();
    }

    /** Runs to the end, completing every suspension, and writes each suspension's big frame and position. */
    private static String suspensions(Vm vm, Vm other, long step) {
        StringBuilder t = new StringBuilder();
        Run r = vm.start(new ExecutionContext(), 0, List.of(Value.i64(4)), Limits.DEFAULT, null);
        Outcome o = step > 0 ? r.step(step) : r.resume();
        int k = 0;
        while (o instanceof Outcome.Paused p) {
            if (p.reason() instanceof PauseReason.HostSuspended h) {
                List<Value> regs = r.registers(0);
                t.append("suspended ").append(h.args()).append(' ').append(r.position()).append(" fuel ")
                        .append(r.fuelRemaining()).append(' ').append(regs).append('\n');
                for (Value v : regs) {
                    assertTrue(v == null || v instanceof Value.Decimal || v instanceof Value.I64
                            || v instanceof Value.Bool || v == Value.UNIT, String.valueOf(v));
                }
                List<Value> res = List.of(Value.i64(((Value.I64) h.args().get(0)).value() + 1), Value.i64(7));
                if (k++ % 2 == 1) {
                    // the suspended call restored on the other VM and completed there
                    r = other.restore(new ExecutionContext(), r.snapshot(), Limits.DEFAULT, null);
                }
                o = r.resumeWith(res);
            } else {
                o = step > 0 ? r.step(step) : r.resume();
            }
        }
        return t.append(o instanceof Outcome.Done d ? "done " + d.values() : "trap " + ((Outcome.Trapped) o).trap())
                .append('\n').toString();
    }

    /**
     * A suspension right after a decimal run in a function that stays interpreted under a compiled
     * caller, with fewer and with more decimal registers than the unboxed list holds: the suspended
     * frame's registers are boxed values (no scale token shows), equal on the interpreter and the
     * compiled tier, whole or stepped, and each second suspension restored on the other VM ends the
     * same.
     */
    @Test
    void suspensionAfterADecimalRunInAnInterpretedCallee() throws Exception {
        for (int decimals : new int[] {0, 5, 63, 64, 65, 90}) {
            String src = suspendingProgram(decimals);
            VerifiedProgram p = JitLeafInlineTest.verified(src);
            Vm in = new Vm(p, suspending());
            Vm jit = Jit.compile(p, suspending());
            Jit.precompile(jit);
            assertEquals(1, Jit.compiledFunctions(jit), "main compiled, big not");
            List<String> ways = new ArrayList<>();
            ways.add(suspensions(in, jit, 0));
            ways.add(suspensions(jit, in, 0));
            for (long step : new long[] {1, 3, 17}) {
                ways.add(suspensions(jit, in, step));
                ways.add(suspensions(in, jit, step));
            }
            assertTrue(ways.get(0).contains("suspended"), ways.get(0));
            assertTrue(ways.get(0).contains("dec:"), ways.get(0));
            for (String w : ways) {
                assertEquals(ways.get(0), w, "decimals " + decimals);
            }
        }
    }

    @Test
    void decimalRunsInAnInterpretedCalleeAgree() throws Exception {
        TierCompare.sweep(TierCompare.Seeds.of("attack.twelve", 4), AttackRoundTwelveTogetherTest::program,
                g -> 0, (seed, g, what, now) -> { });
    }
}
