package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's single exception handler (gen30, attack-g30): {@code execute} has no
 * handler around its hand-offs, and its one handler restores the position a loop noted in the
 * context ({@code runIp} for a run, {@code hotIp} for a call loop) for every throw, so a position
 * left noted after a loop returned normally would move a later trap of {@code execute}'s own. Each
 * path of {@code main(k, n, d)} hands to one loop ({@link CallLoop} with a leaf call inside,
 * {@link LeafLoop}, {@link ClosureLoop}, {@link DecimalRun}, {@link FloatRun}, {@link WordRun},
 * {@link TupleRun}, {@link ArrayRun}, {@link HostRun}), which returns normally, and the next
 * instruction, an {@code i64.div} that {@code execute} runs itself ({@code Ops.slow}), traps
 * {@code div_by_zero} when {@code d} is 0 (with {@code d} 1 the run ends with its result). With
 * {@code n} past a path's input, its loop traps at an instruction after its first (a decimal
 * overflow at the run's {@code dec.mul}, an array index out of bounds at its second
 * {@code array.get}, the host function failing at the run's {@code host_call}), and heap limits
 * between the tuple path's two {@code tuple.new}s trap at the run's second one; the call loops trap
 * at the depth limits 1 to 3. Both tiers alike (result or trap kind, pc, span, stack, fuel) at
 * every fuel limit, every heap limit, those depths, and paused at every slice of 1 and 3 fuel with
 * frames, fuel and snapshot bytes alike and every pause restored on both tiers.
 *
 * <p>It passes on main (d82edfc1 and 5232c59f alike). Mutation-checked: without {@code execute}'s
 * {@code c.hotIp = -1} after a call loop returned, the CallLoop path's {@code div_by_zero} is
 * reported with the call loop's fuel; without the handler's {@code runIp} branch, the DecimalRun
 * path's overflow is reported at the run's first instruction; with HostRun's or ArrayRun's handler
 * noting no position, their traps move likewise. FloatRun and WordRun have no trapping
 * instruction: their handlers serve only errors of the JVM.
 */
class AttackOneHandlerTiersTest {
    /** The paths of {@code main}, in the order of its selector {@code k}. */
    static final String[] PATHS = {"CallLoop", "LeafLoop", "ClosureLoop", "DecimalRun", "FloatRun", "WordRun",
        "TupleRun", "ArrayRun", "HostRun"};

    /** main(k, n, d): path k (0 to 8) with input n, then the division by d. */
    static final String SOURCE = """
            program one_handler

            host hf = "w.f" (i64) -> (i64)
            array ints = i64
            callsig unary = (i64) -> (i64)

            func main(k: i64, n: i64, d: i64) -> (i64) {
                const.i64 r9, 7
            """ + selector() + """
            p0:
                call r0, walk, r0, [r2] -> [r9]
                jmp tail
            p1:
                call r0, twice, r0, [r2] -> [r9]
                jmp tail
            p2:
                const.func r10, add_env
                tuple.new r11, [r2]
                closure.new r12, r10, r11
                call.indirect r0, unary, r12, r0, [r2] -> [r9]
                jmp tail
            p3:
                const.decimal r20, 90, 2
                i64.to_dec r21, r2, 2
                dec.add r22, r21, r20
                dec.mul r23, r22, r22
                dec.mul r25, r20, r20
                dec.sub r24, r23, r25
                i64.add r9, r2, r9
                jmp tail
            p4:
                i64.to_f64 r30, r2
                f64.mul r31, r30, r30
                f64.mul r31, r31, r31
                f64.add r31, r31, r30
                f64.to_i64 r9, r31
                jmp tail
            p5:
                i64.mul r9, r2, r2
                i64.add r9, r9, r2
                i64.sub r9, r9, r2
                i64.mul r9, r9, r2
                jmp tail
            p6:
                tuple.new r40, [r2, r9]
                tuple.get r41, r40, 0
                tuple.get r42, r40, 1
                tuple.new r47, [r42, r41]
                tuple.get r48, r47, 1
                i64.add r9, r48, r42
                jmp tail
            p7:
                array.new r43, ints, [r2, r9, r9, r9]
                i64.to_u64 r44, r2
                const.u64 r49, 0
                array.get r48, r43, r49
                array.len r46, r43
                array.get r45, r43, r44
                i64.add r9, r45, r48
                jmp tail
            p8:
                host_call r0, hf, r0, [r2] -> [r9]
                i64.add r9, r9, r2
                host_call r0, hf, r0, [r9] -> [r9]
                i64.add r9, r9, r2
                jmp tail
            tail:
                i64.div r9, r9, r3
                ret r0, [r9]
            }

            func add_env(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                ret r0, [r4]
            }
            """ + AttackOneHandlerStackTest.CALLEES;

    /** main's dispatch: k 0 to 7 branch to p0 to p7, any other k to p8. */
    static String selector() {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < PATHS.length - 1; k++) {
            s.append("    const.i64 r4, ").append(k).append("\n    i64.eq r5, r1, r4\n    br r5, p").append(k)
                    .append(", ").append(k < PATHS.length - 2 ? "n" + k : "p" + (k + 1)).append('\n');
            if (k < PATHS.length - 2) {
                s.append("n").append(k).append(":\n");
            }
        }
        return s.toString();
    }

    /** w.f(x) = x + 1, failing (host_call_failed) from x = 1,000 on. */
    static HostRegistry host() {
        return new HostRegistry().registerWords("w.f", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (WordFunction.Of1) x -> {
                    if (x >= 1_000) {
                        throw new IllegalStateException("w.f refuses " + x);
                    }
                    return x + 1;
                });
    }

    @Test
    void aTrapRightAfterEachLoopAndInItAgreesOnBothTiers() throws Exception {
        Tiers t = Tiers.ofWords(Tiers.verified(Assembler.assemble(SOURCE, "one_handler.tasm")), host());
        Jit.precompile(t.compiled);
        // n 3: every loop returns; n past its input: the decimal and f64 runs overflow, the array
        // index is out of bounds, the host function fails (the call loops just go deeper)
        long[] ns = {3, 600, 1L << 40};
        // the call loops' paths at 3 and 5 only (their traps: the depth limits below)
        long[] callNs = {3, 5};
        int divideTraps = 0;
        int pauses = 0;
        for (int k = 0; k < PATHS.length; k++) {
            for (long n : k <= 2 ? callNs : ns) {
                for (long d : new long[] {0, 1}) {
                    List<Value> args = List.of(Value.i64(k), Value.i64(n), Value.i64(d));
                    String what = PATHS[k] + " n " + n + " d " + d;
                    Tiers.Outcome whole = t.check(0, args, Limits.DEFAULT, what);
                    if (whole.trapped() && whole.kind() == TrapKind.DIV_BY_ZERO) {
                        divideTraps++;
                    }
                    t.everyFuel(0, args, whole, what);
                    t.everyHeapTrapsBelow(0, args, whole, what);
                    for (long depth = 1; depth <= 3; depth++) {
                        t.check(0, args, Limits.DEFAULT.withMaxCallDepth(depth), what + " depth " + depth);
                    }
                    for (long slice : new long[] {1, 3}) {
                        pauses += t.lockstep(0, args, slice, 1, what + " slice " + slice, (a, b, pause) -> { });
                    }
                }
            }
        }
        // with n 3 and d 0 every path reaches the i64.div after its loop and traps there
        assertTrue(divideTraps >= PATHS.length, divideTraps + " divide traps");
        assertTrue(pauses > 1_000, pauses + " pauses");
    }

    @Test
    void eachPathHandsToItsLoop() {
        Tiers t = Tiers.ofWords(Tiers.verified(Assembler.assemble(SOURCE, "one_handler.tasm")), host());
        // the results the paths compute with n 3 and d 1, so that a path that went wrong shows
        long[] expected = {7, 6, 6, 10, 84, 27, 10, 10, 11};
        for (int k = 0; k < PATHS.length; k++) {
            Tiers.Outcome o = t.check(0, List.of(Value.i64(k), Value.i64(3), Value.i64(1)), Limits.DEFAULT, PATHS[k]);
            assertEquals(List.of(Value.i64(expected[k])), o.results(), PATHS[k] + " " + o.trap());
        }
    }
}
