package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on word tuples kept in locals ({@code VirtualStructs}): hand-written programs where a
 * kept tuple's register also holds a struct or a tuple of another tag list on another path, is
 * kept across a loop's back edge and a suspending host call, is read by {@code tuple.len},
 * {@code select}, {@code mov}, {@code ret}, host calls, stored in aggregates and closure
 * environments, and read with a wrong tag. Both tiers agree at every fuel limit, at heap limits
 * around what a run allocates, and paused at every slice (snapshots restored on both tiers).
 */
class AttackKeptTupleTest {
    private static final String HEADER = """
            program keptt
            host hp = "h.pass" (agg) -> (agg)
            host hw = "h.wait" (agg) -> (agg)
            struct S2 = { a: i64, b: i64 }
            struct N9 = { a: i64, b: i64, c: i64, d: i64, e: i64, f: i64, g: i64, h: i64, i: i64 }
            callsig one = (i64) -> (i64)
            array A = i64
            """;

    static final List<String> BODIES = List.of(
            // 0: a register holding a kept tuple, then a kept struct, on alternate trips
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.and r17, r3, r8
                i64.eq r9, r17, r8
                i64.add r6, r2, r3
                br r9, a, b
            a:
                tuple.new r5, [r6, r3]
                tuple.get r10, r5, 1
                i64.add r12, r12, r10
                jmp j
            b:
                struct.new r5, S2, [r3, r6]
                struct.get r11, r5, 1
                i64.add r12, r12, r11
                jmp j
            j:
                host_call r0, hp, r0, [r5] -> [r13]
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            """,
            // 1: the same with a struct of 9 fields (never kept), and a tuple.len of either
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.and r17, r3, r8
                i64.eq r9, r17, r8
                i64.add r6, r2, r3
                br r9, a, b
            a:
                tuple.new r5, [r6, r3]
                tuple.get r10, r5, 0
                i64.add r12, r12, r10
                jmp j
            b:
                struct.new r5, N9, [r3, r6, r6, r6, r6, r6, r6, r6, r3]
                struct.get r11, r5, 8
                i64.add r12, r12, r11
                jmp j
            j:
                tuple.len r14, r5
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            """,
            // 2: tuples of two tag lists in one register on alternate trips, each read by element
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.and r17, r3, r8
                i64.eq r9, r17, r8
                i64.add r6, r2, r3
                i64.to_f64 r7, r6
                br r9, a, b
            a:
                tuple.new r5, [r6, r3]
                tuple.get r10, r5, 0
                i64.add r12, r12, r10
                jmp j
            b:
                tuple.new r5, [r7, r3]
                tuple.get r11, r5, 1
                i64.add r12, r12, r11
                tuple.get r15, r5, 0
                f64.to_i64 r16, r15
                i64.add r12, r12, r16
                jmp j
            j:
                host_call r0, hp, r0, [r5] -> [r13]
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            """,
            // 3: kept across the back edge, a suspending host call in the loop, read after it
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                tuple.new r5, [r2, r1]
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                tuple.get r6, r5, 0
                i64.add r6, r6, r3
                tuple.get r7, r5, 1
                tuple.new r5, [r7, r6]
                tuple.new r9, [r3]
                host_call r0, hw, r0, [r9] -> [r10]
                i64.add r3, r3, r8
                jmp loop
            done:
                tuple.get r6, r5, 0
                tuple.get r7, r5, 1
                i64.mul r6, r6, r7
                ret r0, [r6]
            }
            """,
            // 4: read by tuple.len, select, mov, passed to a host function, returned by a callee
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.add r6, r2, r3
                tuple.new r5, [r6, r3, r2]
                tuple.len r10, r5
                u64.to_i64 r11, r10
                i64.add r12, r12, r11
                call r0, mk, r0, [r6] -> [r13]
                select r14, r4, r5, r13
                tuple.len r20, r14
                u64.to_i64 r21, r20
                i64.add r12, r12, r21
                mov r16, r5
                tuple.get r15, r16, 0
                i64.add r12, r12, r15
                host_call r0, hp, r0, [r5] -> [r17]
                tuple.len r22, r17
                u64.to_i64 r23, r22
                i64.add r12, r12, r23
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            func mk(a: i64) -> (agg) {
                const.i64 r2, 5
                tuple.new r3, [r1, r2, r1]
                tuple.get r4, r3, 0
                i64.add r4, r4, r2
                tuple.new r3, [r4, r2, r1]
                ret r0, [r3]
            }
            """,
            // 5: stored in another tuple, a struct-free closure environment, an array; read with a wrong tag
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                const.func r20, cl
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.add r6, r2, r3
                tuple.new r5, [r6, r3]
                tuple.new r9, [r5, r6]
                tuple.get r15, r5, 1
                i64.add r12, r12, r15
                closure.new r21, r20, r5
                call.indirect r0, one, r21, r0, [r3] -> [r23]
                i64.add r12, r12, r23
                tuple.get r22, r9, 0
                tuple.len r24, r22
                u64.to_i64 r25, r24
                i64.add r12, r12, r25
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            func cl(env: agg tuple(i64, i64), a: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r3, r3, r2
                ret r0, [r3]
            }
            """,
            // 6: f64 elements (NaN payloads), bool, u64 at the top, a pair read after a block start
            """
            func main(n: i64, x: i64) -> (i64) {
                const.f64 r3, 0x7ff8dead0000beef
                const.bool r4, true
                const.u64 r5, 18446744073709551615
                i64.to_f64 r6, r2
                tuple.new r7, [r3, r4, r5, r6]
                tuple.new r8, [r3, r6]
                tuple.get r9, r7, 2
                tuple.get r10, r8, 0
                tuple.get r11, r7, 3
                f64.lt r12, r10, r11
                host_call r0, hw, r0, [r8] -> [r13]
                tuple.len r14, r13
                select r16, r12, r7, r8
                host_call r0, hp, r0, [r16] -> [r17]
                tuple.len r18, r17
                u64.to_i64 r19, r18
                ret r0, [r19]
            }
            """,
            // 7: a register holding a kept struct, then a kept array, on alternate trips, read as an object after
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.and r17, r3, r8
                i64.eq r9, r17, r8
                i64.add r6, r2, r3
                br r9, a, b
            a:
                array.new r5, A, [r6, r3, r2]
                array.get_imm r10, r5, 1
                i64.add r12, r12, r10
                jmp j
            b:
                struct.new r5, S2, [r3, r6]
                struct.get r11, r5, 1
                i64.add r12, r12, r11
                jmp j
            j:
                host_call r0, hp, r0, [r5] -> [r13]
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            """,
            // 8: the same with a kept tuple and a kept array
            """
            func main(n: i64, x: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r8, 1
                const.i64 r12, 0
                jmp loop
            loop:
                i64.lt r4, r3, r1
                br r4, body, done
            body:
                i64.and r17, r3, r8
                i64.eq r9, r17, r8
                i64.add r6, r2, r3
                br r9, a, b
            a:
                array.new r5, A, [r6, r3, r2]
                array.get_imm r10, r5, 1
                i64.add r12, r12, r10
                jmp j
            b:
                tuple.new r5, [r3, r6]
                tuple.get r11, r5, 1
                i64.add r12, r12, r11
                jmp j
            j:
                host_call r0, hp, r0, [r5] -> [r13]
                i64.add r3, r3, r8
                jmp loop
            done:
                ret r0, [r12]
            }
            """);

    /** h.pass and h.wait both give back their argument (no suspension: the lockstep pauses by fuel). */
    static HostRegistry host() {
        Signature sig = Signature.of(List.of(ValueType.AGG), List.of(ValueType.AGG));
        HostFunction.Simple pass = args -> new Value[] {args[0]};
        return new HostRegistry().register("h.pass", sig, pass).register("h.wait", sig, pass);
    }

    /**
     * Program {@code i} on both tiers with {@code n} from 0 to 3: every fuel limit, every heap
     * limit up to 300 bytes below what the run allocates, paused at every slice of 1 to 3 (frames,
     * registers and snapshot bytes compared, restored on both tiers).
     */
    private static void everyLimit(int i) throws Exception {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(HEADER + BODIES.get(i)));
        Tiers t = Tiers.of(p, host());
        for (long n = 0; n < 4; n++) {
            List<Value> args = List.of(Value.i64(n), Value.i64(n * 977 - 400));
            String what = "program " + i + " n " + n + "\n" + BODIES.get(i);
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            t.everyFuel(0, args, full, what);
            for (long b = Math.max(0, full.heapBytes() - 300); b <= full.heapBytes() + 1; b++) {
                t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
            }
            for (long slice = 1; slice <= 3; slice++) {
                t.lockstep(0, args, slice, 2, what + " slice " + slice, (a, b, pause) -> { });
            }
        }
    }

    /** @return how many times function 0 of program {@code i} calls {@code JitRuntime.name} */
    private static int calls(int i, String name) throws Exception {
        return AttackKeptStructTest.calls(Tiers.verified(JitCornerCasesTest.asm(HEADER + BODIES.get(i))), 0, name);
    }

    /** The tuple programs (0 to 6), each at every limit, and which of them keep a tuple in locals. */
    @Test
    void tuplesAtEveryLimit() throws Exception {
        for (int i = 0; i <= 6; i++) {
            everyLimit(i);
        }
        // kept: the tuples of two tag lists (2), across the back edge (3, and its pair), the word kinds (6)
        for (int i : new int[] {2, 3, 6}) {
            assertTrue(calls(i, "virtualTuple") > 0, "program " + i + " keeps a tuple");
        }
        // not kept: the register a kept struct (0) or a struct.new (1) also writes
        assertEquals(0, calls(0, "virtualTuple"));
        assertTrue(calls(0, "virtualStruct") > 0);
        assertEquals(0, calls(1, "virtualTuple"));
        assertEquals(0, calls(8, "virtualTuple"), "a register an array.new also writes");
    }

    /**
     * A register that a {@code struct.new} of words and an {@code array.new} of words write on
     * alternate trips, read as an object (a host call's argument) after the join: the compiled
     * method kept both in locals, the array's build left the struct's flag, and the host function
     * got the stale struct or null (a {@code host_call_failed} trap) where the interpreter passes
     * the array.
     */
    @Test
    void structAndArrayInOneRegister() throws Exception {
        everyLimit(7);
        everyLimit(8);
    }
}
