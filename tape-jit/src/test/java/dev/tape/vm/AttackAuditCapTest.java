package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the twelfth-round audit's cap ({@link JitTier#MAX_CODE_INTS}): a function of 8,191,
 * 8,192 or 8,193 ints of lowered code (a nop-heavy one, which generates, so the cap alone decides),
 * called from a hot loop and trapping on one argument, gets a method exactly when it is within the
 * cap, and gives the interpreter's results, traps (kind, function, pc) and fuel whichever way it
 * runs: {@code Vm.run} on {@code Jit.compile} and {@code Jit.compileFramed} VMs (before and after
 * {@code Jit.precompile}), and a {@link Run} paused for fuel every 997 units, snapshotted and
 * restored at each pause, so the compiled tier is asked to resume inside it.
 */
class AttackAuditCapTest {
    /** main(n) sums f(i) for i from n down to 1; f(x) runs {@code nops} nops then 100 / (x - 3). */
    static String source(int nops) {
        return """
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r5, 0
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                call r0, f, r0, [r1] -> [r6]
                i64.add r5, r5, r6
                i64.sub r1, r1, r3
                jmp loop
            done:
                ret r0, [r5]
            }
            func f(x: i64) -> (i64) {
            """ + "    nop\n".repeat(nops) + """
                const.i64 r2, 3
                const.i64 r3, 100
                i64.sub r4, r1, r2
                i64.div r5, r3, r4
                ret r0, [r5]
            }
            """;
    }

    /** The program whose f has {@code ints} ints of lowered code. */
    static VerifiedProgram program(int ints) throws Exception {
        int nops = ints;
        for (int tries = 0; tries < 3; tries++) {
            VerifiedProgram p = Verifier.verify(Assembler.assemble(source(nops), "cap.tasm"));
            int len = new Vm(p, Host.NONE).funcs[1].codeLength();
            if (len == ints) {
                return p;
            }
            nops += ints - len;
        }
        throw new AssertionError("no program with f of " + ints + " ints");
    }

    private static String oneShot(Vm vm, long n) {
        ExecutionContext c = new ExecutionContext();
        try {
            return vm.run(c, 0, List.of(Value.i64(n)), Limits.DEFAULT, null) + " fuel " + c.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " at " + t.func() + ":" + t.pc() + " fuel " + t.fuelRemaining();
        }
    }

    private static String paused(Vm vm, long n) {
        Run r = vm.start(new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(997), null);
        int pauses = 0;
        while (true) {
            Outcome o = r.resume();
            if (o instanceof Outcome.Done d) {
                return d.values() + " fuel " + r.fuelRemaining() + " pauses " + pauses;
            }
            if (o instanceof Outcome.Trapped t) {
                return t.trap().kind() + " at " + t.trap().func() + ":" + t.trap().pc() + " fuel "
                        + t.trap().fuelRemaining() + " pauses " + pauses;
            }
            pauses++;
            byte[] snap = r.snapshot();
            r = vm.restore(snap);
            r.addFuel(997);
        }
    }

    @Test
    void theCapDecidesExactlyAndOutcomesMatchTheInterpreter() throws Exception {
        for (int ints : new int[] {JitTier.MAX_CODE_INTS - 1, JitTier.MAX_CODE_INTS, JitTier.MAX_CODE_INTS + 1}) {
            VerifiedProgram p = program(ints);
            Vm interp = new Vm(p, Host.NONE);
            for (boolean framed : new boolean[] {false, true}) {
                for (boolean precompiled : new boolean[] {false, true}) {
                    Vm jit = framed ? Jit.compileFramed(p, Host.NONE, VmOptions.DEFAULT) : Jit.compile(p, Host.NONE);
                    if (precompiled) {
                        Jit.precompile(jit);
                    }
                    String how = ints + " ints, framed " + framed + ", precompiled " + precompiled;
                    for (long n : new long[] {2, 12, 3, 7}) {
                        assertEquals(oneShot(interp, n), oneShot(jit, n), how + ", n " + n);
                        assertEquals(paused(interp, n), paused(jit, n), how + ", paused, n " + n);
                    }
                    JitTier t = (JitTier) jit.tier;
                    assertTrue(t.compiledCount() >= 1, how + ": main compiled");
                    assertEquals(ints <= JitTier.MAX_CODE_INTS, t.compileNow(1), how + ": f");
                    assertTrue(!paused(interp, 12).contains("pauses 0"), paused(interp, 12));
                }
            }
        }
    }
}
