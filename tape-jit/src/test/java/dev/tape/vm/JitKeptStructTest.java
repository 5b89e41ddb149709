package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structs that compiled code keeps in locals ({@code VirtualStructs}) and closures whose inlined
 * leaf callee is picked by the closure's unchecked function id ({@code LeafInliner.indirect}).
 * Random programs build a struct of 1 to 4 word fields per loop iteration (from the iteration's
 * values, so a wrong field shows) and then, in random order: read fields in the caller, pass it to
 * an inlined leaf that reads its fields, to a function that is no leaf (a real call, which needs the
 * object), through closures at one {@code call.indirect} site that sees a leaf, a second leaf and a
 * non-leaf by {@code i % 3}, let it escape into a tuple and a copy read by field, and cross a
 * block start (a point where a slice can pause with the struct kept), and write the register with
 * another struct (an object). Before the loop another struct is kept across block starts where a
 * restored run resumes, so that there it is an object from the register file. Both tiers must agree in
 * every detail (result or trap with its stack, fuel, heap bytes): at every fuel limit, at every
 * heap limit from well under to just over what the run allocates (the struct's charge and the
 * register files' growth trap {@code heap_limit_exceeded} at their pcs), at every call-depth
 * limit, and paused at every slice of a random size (frames, fuel, snapshot bytes; runs restored
 * from the snapshots end alike on both tiers).
 */
class JitKeptStructTest {
    /** A program: {@code main(n, x)} loops {@code n} times over a struct and its uses. */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int fields = 1 + rnd.nextInt(4);
        StringBuilder s = new StringBuilder("program kept\nstruct S = { ");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append("f").append(j).append(": i64");
        }
        s.append(" }\ncallsig one = (agg) -> (i64)\n");
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.func r3, cl0\n    const.func r4, cl1\n    const.func r5, heavyc\n");
        s.append("    const.i64 r6, ").append(rnd.nextInt(50)).append("\n    tuple.new r7, [r6]\n");
        s.append("    closure.new r8, r3, r7\n    closure.new r9, r4, r7\n    closure.new r30, r5, r7\n");
        // before the loop, a struct kept across block starts where a restored run resumes (no loop
        // header between them): there it is an object, read from the register file
        s.append("    struct.new r28, S, [");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r2" : "r1");
        }
        s.append("]\n    mov r12, r2\n    jmp pre1\npre1:\n    call r0, leaf, r0, [r28] -> [r21]\n");
        s.append("    i64.add r12, r12, r21\n    jmp pre2\npre2:\n    struct.get r21, r28, ").append(fields - 1)
                .append("\n    i64.add r12, r12, r21\n    call r0, leaf, r0, [r28] -> [r21]\n    i64.xor r12, r12, r21\n");
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    const.i64 r13, 3\n    jmp loop\n");
        s.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n");
        // the fields: i, x + i, i * 7, acc
        String[] values = {"r10", "r12", "r15", "r16"};
        s.append("    i64.add r15, r12, r10\n    const.i64 r16, 7\n    i64.mul r16, r16, r10\n");
        s.append("    struct.new r20, S, [");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append(values[(j + (int) (seed % 4)) % 4]);
        }
        s.append("]\n");
        int uses = 2 + rnd.nextInt(5);
        int others = 0;
        for (int u = 0; u < uses; u++) {
            int kind = rnd.nextInt(8);
            if (kind >= 2 && others >= 3) {
                kind = rnd.nextInt(2); // at most 4 reads other than field reads: the struct stays kept
            }
            switch (kind) {
                case 0, 1 -> s.append("    struct.get r21, r20, ").append(rnd.nextInt(fields))
                        .append("\n    i64.add r12, r12, r21\n");
                case 2 -> {
                    s.append("    call r0, leaf, r0, [r20] -> [r21]\n    i64.xor r12, r12, r21\n");
                    others++;
                }
                case 3 -> {
                    s.append("    call r0, heavy, r0, [r20] -> [r21]\n    i64.add r12, r12, r21\n");
                    others++;
                }
                case 4 -> {
                    // one of three closures by i % 3: two leaves and one function that is no leaf
                    s.append("    i64.rem r22, r10, r13\n    const.i64 r23, 0\n    i64.eq r24, r22, r23\n");
                    s.append("    br r24, pick0").append(u).append(", not0").append(u).append('\n');
                    s.append("pick0").append(u).append(":\n    mov r25, r8\n    jmp call").append(u).append('\n');
                    s.append("not0").append(u).append(":\n    const.i64 r23, 1\n    i64.eq r24, r22, r23\n");
                    s.append("    br r24, pick1").append(u).append(", pick2").append(u).append('\n');
                    s.append("pick1").append(u).append(":\n    mov r25, r9\n    jmp call").append(u).append('\n');
                    s.append("pick2").append(u).append(":\n    mov r25, r30\n    jmp call").append(u).append('\n');
                    s.append("call").append(u).append(":\n    call.indirect r0, one, r25, r0, [r20] -> [r21]\n");
                    s.append("    i64.add r12, r12, r21\n");
                    others++;
                }
                case 5 -> {
                    // into a tuple that stays live (in snapshots) and a copy that is read
                    s.append("    tuple.new r26, [r20]\n    mov r27, r20\n    struct.get r21, r27, ")
                            .append(rnd.nextInt(fields)).append("\n    i64.sub r12, r12, r21\n");
                    others += 2;
                }
                case 6 -> {
                    // another writer: an object, read by field and by the leaf after it
                    s.append("    struct.new r20, S, [");
                    for (int j = 0; j < fields; j++) {
                        s.append(j == 0 ? "" : ", ").append(values[(j + 1) % 4]);
                    }
                    s.append("]\n    struct.get r21, r20, ").append(rnd.nextInt(fields))
                            .append("\n    i64.add r12, r12, r21\n");
                    others++;
                }
                default -> s.append("    jmp next").append(u).append("\nnext").append(u).append(":\n");
            }
        }
        s.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        // a leaf: reads fields, branches
        s.append("func leaf(s: agg struct S) -> (i64) {\n    struct.get r2, r1, ").append(rnd.nextInt(fields))
                .append("\n    struct.get r3, r1, ").append(rnd.nextInt(fields)).append('\n');
        s.append("    i64.lt r4, r2, r3\n    br r4, a, b\na:\n    i64.mul r2, r2, r3\n    jmp b\nb:\n    ret r0, [r2]\n}\n");
        s.append("func heavy(s: agg struct S) -> (i64) {\n    struct.get r2, r1, ").append(rnd.nextInt(fields))
                .append("\n    const.i64 r3, 3\n    i64.div r2, r2, r3\n    ret r0, [r2]\n}\n");
        for (int l = 0; l < 2; l++) {
            s.append("func cl").append(l).append("(env: agg tuple(i64), s: agg struct S) -> (i64) {\n");
            s.append("    tuple.get r3, r1, 0\n    struct.get r4, r2, ").append(rnd.nextInt(fields)).append('\n');
            s.append("    i64.").append(l == 0 ? "add" : "sub").append(" r4, r4, r3\n    ret r0, [r4]\n}\n");
        }
        s.append("func heavyc(env: agg tuple(i64), s: agg struct S) -> (i64) {\n    struct.get r3, r2, 0\n"
                + "    const.i64 r4, 5\n    i64.div r3, r3, r4\n    ret r0, [r3]\n}\n");
        return new Tiers.Generated(s.toString(),
                List.of(Value.i64(1 + rnd.nextInt(6)), Value.i64(rnd.nextLong(1000))));
    }

    /** @return how many times function {@code f}'s generated method calls {@code JitRuntime.name} */
    static int calls(VerifiedProgram p, int f, String name) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, f).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", name);
    }

    /** Every fuel limit up to what the run uses, and every heap limit around what it allocates. */
    @Test
    void everyFuelAndHeapLimit() throws Exception {
        int[] kept = {0};
        int heapTraps = Tiers.fuelAndHeapSweep(0, 40, JitKeptStructTest::program, (g, vp, t, full, what) -> {
            // a peeled loop (LoopPeel) charges its struct in both copies
            int loopCopies = JitLeafInlinedTest.steadySites(vp, 0) > 0 ? 2 : 1;
            if (calls(vp, 0, "chargeAggregate") == 1 + loopCopies) {
                kept[0]++;
            }
        });
        assertTrue(kept[0] >= 30, "programs whose two structs are kept in locals: " + kept[0]);
        assertTrue(heapTraps >= 1000, "runs that ran out of heap: " + heapTraps);
    }

    /** Every call-depth limit and register limits around what the run needs. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 130, JitKeptStructTest::program);
    }

    /** Paused at every slice of a random size, snapshots compared and restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = Tiers.pauseSweep(200, 240, JitKeptStructTest::program);
        assertTrue(pauses >= 200, "pauses: " + pauses);
    }

    /**
     * A closure over a leaf whose signature is not the call's (a u64 where the call passes an
     * i64: the same register class, so only the callee check tells): the leaf is named by the
     * caller's {@code const.func}, but the call traps {@code type_mismatch} on both tiers, at every
     * fuel limit, and a matching closure at the same site runs.
     */
    @Test
    void aClosureOfAnotherSignatureTraps() throws Exception {
        String text = """
                program sigs
                callsig un = (i64) -> (i64)
                func main(n: i64) -> (i64) {
                    const.func r2, good
                    const.func r3, bad
                    const.i64 r8, 1
                    tuple.new r4, [r8]
                    closure.new r5, r2, r4
                    closure.new r6, r3, r4
                    const.i64 r7, 0
                    mov r9, r5
                    jmp loop
                loop:
                    i64.lt r10, r7, r1
                    br r10, body, done
                body:
                    call.indirect r0, un, r9, r0, [r7] -> [r11]
                    i64.add r7, r7, r8
                    i64.add r7, r7, r11
                    mov r9, r6
                    jmp loop
                done:
                    ret r0, [r7]
                }
                func good(env: agg tuple(i64), x: i64) -> (i64) {
                    tuple.get r3, r1, 0
                    i64.add r3, r3, r2
                    ret r0, [r3]
                }
                func bad(env: agg tuple(i64), x: u64) -> (i64) {
                    tuple.get r3, r1, 0
                    ret r0, [r3]
                }
                """;
        VerifiedProgram p = JitLeafInlineTest.verified(text);
        // the site inlines good only (the room made in the first copy of the peeled loop)
        assertEquals(1, calls(p, 0, "leafMakeRoom"), text);
        Tiers t = Tiers.of(p, Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(100)), Limits.DEFAULT, text);
        assertTrue(o.trap() != null && o.trap().toString().contains("type_mismatch"), o::toString);
        for (long fuel = 0; fuel < 40; fuel++) {
            t.check(0, List.of(Value.i64(100)), Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
        }
    }

    /**
     * tape-bench's rules keeps its order in locals: no aggregate built, its heap charge on the heap
     * room's local ({@code JitStructHeapLocalTest}).
     */
    @Test
    void rulesKeepsItsOrderInLocals() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(JitLeafInlinedTest.RULES));
        assertEquals(0, calls(p, 0, "chargeAggregate"));
        assertEquals(0, calls(p, 0, "aggregate"));
        // the closure's id is compared before any check in closure_loop
        VerifiedProgram c = Tiers.verified(JitCornerCasesTest.asm(JitLeafInlinedTest.CLOSURE_LOOP));
        assertEquals(1, calls(c, 0, "closureFunc"));
    }
}
