package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;

import java.util.List;

/**
 * Hand-written programs whose paused states hold every value kind, shared values and stale registers;
 * and {@link #FIB}, the recursive fib that run, resume and snapshot tests of both tiers share.
 */
public final class SnapshotPrograms {
    private SnapshotPrograms() {}

    /**
     * main(n): builds a value of every kind (str, bytes, dec, f64, u64, bool, func, an obj from
     * the host, a struct, an array and tuples that share one struct and one string), captures them
     * in a closure and recurses n deep through it, each level wrapping the environment in a new
     * tuple; then a helper that leaves a string in r5 and another whose r5 is a decimal written
     * late, so a pause there finds a stale value of another type in an unwritten register.
     */
    public static final String KINDS = """
            program kinds

            host mkobj = "t.obj" (i64) -> (obj<7>)
            struct P = { a: i64, s: str, o: obj<7> }
            array strs = str
            callsig un = (i64) -> (i64)

            func main(n: i64) -> (i64, str, agg, dec, bytes, f64, u64, bool) {
                const.pool r2, str:"héllo"
                const.pool r3, bytes:00ff10
                const.decimal r4, -150, 2
                const.pool r5, f64:-1.5
                const.u64 r6, 18446744073709551615
                const.bool r7, true
                const.i64 r8, 7
                host_call r0, mkobj, r0, [r8] -> [r9]
                struct.new r10, P, [r8, r2, r9]
                tuple.new r11, [r10, r10, r2]
                array.new r12, strs, [r2, r2]
                const.func r14, rec
                tuple.new r13, [r11, r12, r4, r3, r5, r6, r7, r14, r9]
                closure.new r15, r14, r13
                call.indirect r0, un, r15, r0, [r1] -> [r16]
                call r0, leave_str, r0, [] -> []
                call r0, late_dec, r0, [r8] -> [r17]
                dec.add r18, r4, r17
                ret r0, [r16, r2, r13, r18, r3, r5, r6, r7]
            }

            func rec(env: agg, k: i64) -> (i64) {
                const.i64 r3, 0
                i64.eq r4, r2, r3
                br r4, done, more
            done:
                tuple.len r5, r1
                u64.to_i64 r6, r5
                ret r0, [r6]
            more:
                const.i64 r7, 1
                i64.sub r8, r2, r7
                tuple.new r9, [r1, r8]
                const.func r10, rec
                closure.new r11, r10, r9
                call.indirect r0, un, r11, r0, [r8] -> [r12]
                i64.add r13, r12, r2
                ret r0, [r13]
            }

            func leave_str() -> () {
                const.pool r5, str:"stale"
                ret r0, []
            }

            func late_dec(x: i64) -> (dec) {
                const.i64 r2, 1
                i64.add r3, r1, r2
                i64.add r3, r3, r2
                i64.to_dec r5, r3, 2
                ret r0, [r5]
            }
            """;

    /** The host of {@link #KINDS}: {@code t.obj(i64) -> obj<7>} gives the handle x * 1000. */
    public static HostRegistry host() {
        HostRegistry h = new HostRegistry();
        h.register("t.obj", Signature.of(List.of(ValueType.I64), List.of(ValueType.obj(7))),
                args -> new Value[] {new Value.Obj(7, ((Value.I64) args[0]).value() * 1000)});
        return h;
    }

    /**
     * deep(n): builds a chain of n nested tuples in a loop, then returns its depth by walking it
     * with tuple.get; a pause anywhere holds one value nested up to n deep.
     */
    public static final String DEEP = """
            program deep

            func deep(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                tuple.new r4, [r2]
                mov r5, r2
                jmp build
            build:
                i64.lt r6, r5, r1
                br r6, wrap, walk
            wrap:
                tuple.new r4, [r4]
                i64.add r5, r5, r3
                jmp build
            walk:
                mov r7, r2
                tuple.len r8, r4
                const.u64 r9, 1
                u64.eq r10, r8, r9
                br r10, down, out
            down:
                jmp out
            out:
                ret r0, [r5]
            }
            """;

    /** fib(n), recursive (its text is part of the restore seeds' program hash: keep it as it is). */
    public static final String FIB = """
            program fib

            func fib(n: i64) -> (i64) {
                const.i64 r2, 2
                i64.lt r3, r1, r2
                br r3, small, big
            small:
                ret r0, [r1]
            big:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, fib, r0, [r5] -> [r6]
                i64.sub r7, r1, r2
                call r0, fib, r0, [r7] -> [r8]
                i64.add r9, r6, r8
                ret r0, [r9]
            }
            """;

    /** @return the program of assembly text {@code src}, verified */
    public static VerifiedProgram verified(String src) {
        try {
            return Verifier.verify(Assembler.assemble(src, "test.tasm"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
