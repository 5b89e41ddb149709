package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled calls nest on the Java stack only as far as {@link JitRuntime#MAX_NESTING} frames and
 * {@link JitRuntime#STACK_WORDS} words allow; deeper recursion goes on in the interpreter. So deep
 * recursion of functions with many registers works on a thread with a small stack, with the same
 * result and fuel as the interpreter.
 */
class JitStackTest {
    /**
     * sum(n) = n + sum(n - 1), sum(0) = 0, in a function that also keeps {@code extra} live i64
     * registers (so each frame is large).
     */
    static VerifiedProgram wideRecursion(int extra) throws Exception {
        StringBuilder b = new StringBuilder("program wide\n\nfunc sum(n: i64) -> (s: i64) {\n");
        b.append("    const.i64 r2, 0\n");
        b.append("    i64.eq r3, r1, r2\n");
        b.append("    br r3, done, more\n");
        b.append("done:\n    ret r0, [r2]\n");
        b.append("more:\n    const.i64 r4, 1\n");
        int reg = 5;
        for (int i = 0; i < extra; i++, reg++) {
            b.append("    i64.add r").append(reg).append(", r1, r4\n");
        }
        b.append("    i64.sub r").append(reg).append(", r1, r4\n");
        b.append("    call r0, sum, r0, [r").append(reg).append("] -> [r").append(reg + 1).append("]\n");
        b.append("    i64.add r").append(reg + 2).append(", r").append(reg + 1).append(", r1\n");
        b.append("    ret r0, [r").append(reg + 2).append("]\n}\n");
        return Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(b.toString(), "wide.tasm"));
    }

    @Test
    void deepRecursionOfWideFramesFitsASmallThreadStack() throws Exception {
        VerifiedProgram p = wideRecursion(300);
        Vm jit = Jit.compile(p, Host.NONE);
        Vm interp = new Vm(p, Host.NONE);
        Limits limits = new Limits(Limits.DEFAULT_FUEL, 20_000, Limits.DEFAULT_HOST_CALLS, Limits.DEFAULT_HEAP_BYTES,
                Limits.DEFAULT_REGISTERS);
        List<Value> args = List.of(Value.i64(5_000));
        ExecutionContext ic = new ExecutionContext();
        List<Value> want = interp.run(ic, 0, args, limits, null);
        assertEquals(List.of(Value.i64(5_000L * 5_001 / 2)), want);
        ExecutionContext jc = new ExecutionContext();
        // 512 KiB: half the JVM's default; compiled frames may use at most 64 KiB of it
        Object got = Tiers.onThread(512 * 1024, () -> jit.run(jc, 0, args, limits, null));
        assertEquals(want, got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
        assertEquals(1, Jit.compiledFunctions(jit), "compiled in its run");
    }

    @Test
    void depthLimitTrapsIdenticallyPastTheCompiledNesting() throws Exception {
        VerifiedProgram p = wideRecursion(2);
        Limits limits = Limits.of(Limits.DEFAULT_FUEL, 1_000, Limits.DEFAULT_HOST_CALLS);
        Trap a = null;
        Trap b = null;
        try {
            new Vm(p, Host.NONE).run(0, List.of(Value.i64(5_000)), limits);
        } catch (Trap t) {
            a = t;
        }
        try {
            Jit.compile(p, Host.NONE).run(0, List.of(Value.i64(5_000)), limits);
        } catch (Trap t) {
            b = t;
        }
        assertTrue(a != null && b != null);
        assertEquals("call_depth_exceeded", a.label());
        assertEquals(a.getMessage(), b.getMessage());
        assertEquals(a.pc(), b.pc());
        assertEquals(a.stack(), b.stack());
        assertEquals(a.elidedFrames(), b.elidedFrames());
        assertEquals(a.fuelRemaining(), b.fuelRemaining());
    }
}
