package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link StackSampler#read} on made-up stacks: which frames are a run's compiled frames, where the
 * run's own stack ends, and that nothing out of range or malformed gets through. (A real run's stack
 * is read in tape-cli's {@code StackSamplerRunTest}, which has the compiled tier.)
 */
class StackSamplerTest {
    /** A VM of three functions (ids 0 to 2). */
    static Vm vm() {
        String src = """
                program three
                func a() -> () {
                    ret r0, []
                }
                func b() -> () {
                    ret r0, []
                }
                func c() -> () {
                    ret r0, []
                }
                """;
        return new Vm(Verifier.verify(Assembler.assemble(src, "three.tasm")), Host.NONE);
    }

    static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    static StackTraceElement compiled(String method) {
        return frame("dev.tape.vm.JitCode/0x0000000801c8c000", method);
    }

    /** @return the frames given outermost first as the JVM lists them: innermost first */
    static StackTraceElement[] stack(StackTraceElement... outermostFirst) {
        List<StackTraceElement> l = new ArrayList<>(List.of(outermostFirst));
        Collections.reverse(l);
        return l.toArray(new StackTraceElement[0]);
    }

    static final StackTraceElement THREAD = frame("java.lang.Thread", "run");
    static final StackTraceElement RUN = frame("dev.tape.vm.Vm", "run");
    static final StackTraceElement TIER = frame("dev.tape.vm.JitTier", "run");
    static final StackTraceElement INVOKE = frame("java.lang.invoke.LambdaForm$MH/0x0000000801c8c400", "invokeExact_MT");

    @Test
    void compiledFramesOutermostFirst() {
        StackSampler s = new StackSampler(vm());
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
        int[] out = new int[8];
        int n = s.read(stack(THREAD, RUN, TIER, INVOKE, compiled("f0"), frame("dev.tape.vm.JitRuntime", "invoke"),
                INVOKE, compiled("f2"), compiled("f2"), compiled("f1")), out);
        assertEquals(4, n);
        assertArrayEquals(new int[] {0, 2, 2, 1, 0, 0, 0, 0}, out);
        assertEquals(StackSampler.Where.COMPILED, s.where());
    }

    @Test
    void idsOutOfRangeOrMalformedAreSkipped() {
        StackSampler s = new StackSampler(vm());
        int[] out = new int[8];
        int n = s.read(stack(TIER, compiled("f1"), compiled("f3"), compiled("f"), compiled("fx"), compiled("f-1"),
                compiled("f99999999999"), compiled("g0"), compiled("f2147483648"), compiled("<clinit>"),
                frame("dev.tape.vm.JitCodeX", "f1x"), compiled("f2")), out);
        assertEquals(2, n);
        assertEquals(1, out[0]);
        assertEquals(2, out[1]);
    }

    @Test
    void aFastCloneNamesItsFunction() {
        StackSampler s = new StackSampler(vm());
        int[] out = new int[8];
        // tape-jit's fast clones are methods fast<id> beside f<id>: a sample inside one names its function
        int n = s.read(stack(TIER, compiled("f0"), compiled("fast1"), compiled("fast2"), compiled("fast"),
                compiled("fastx"), compiled("fast99999999999"), compiled("fas1")), out);
        assertEquals(3, n);
        assertArrayEquals(new int[] {0, 1, 2}, java.util.Arrays.copyOf(out, 3));
    }

    @Test
    void aHostCallEndsTheRunsStack() {
        StackSampler s = new StackSampler(vm());
        int[] out = new int[8];
        // the host function started a run of its own: its compiled frames are not this run's
        int n = s.read(stack(TIER, compiled("f0"), compiled("f1"), frame("dev.tape.vm.Calls", "invoke"),
                frame("dev.tape.cli.StdHost", "lambda$print$0"), TIER, compiled("f2")), out);
        assertEquals(2, n);
        assertEquals(StackSampler.Where.HOST, s.where());
        assertArrayEquals(new int[] {0, 1}, new int[] {out[0], out[1]});
    }

    @Test
    void theInterpreterAndTheCompilerAreReported() {
        StackSampler s = new StackSampler(vm());
        int[] out = new int[8];
        assertEquals(0, s.read(stack(THREAD, RUN, frame("dev.tape.vm.Vm", "drive"),
                frame("dev.tape.vm.Interpreter", "execute")), out));
        assertEquals(StackSampler.Where.INTERPRETED, s.where());
        assertEquals(1, s.read(stack(TIER, compiled("f0"), frame("dev.tape.vm.JitRuntime", "lazy"),
                frame("dev.tape.vm.JitTier", "compile"), frame("dev.tape.jit.JitCompiler", "generate")), out));
        assertEquals(StackSampler.Where.COMPILING, s.where());
        assertEquals(0, out[0]);
    }

    @Test
    void noStackOrAnotherOneIsOutside() {
        StackSampler s = new StackSampler(vm());
        int[] out = new int[2];
        s.read(stack(TIER, compiled("f0")), out);
        assertEquals(StackSampler.Where.COMPILED, s.where());
        assertEquals(0, s.read(null, out));
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
        assertEquals(0, s.read(new StackTraceElement[0], out));
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
        assertEquals(0, s.read(new StackTraceElement[] {null, THREAD, null}, out));
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
        assertEquals(0, s.read(stack(THREAD, frame("dev.tape.vm.Calls", "begin")), out));
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
    }

    @Test
    void deeperThanTheArrayCountsAllWritesTheOutermost() {
        StackSampler s = new StackSampler(vm());
        StackTraceElement[] deep = new StackTraceElement[1000];
        for (int i = 0; i < deep.length; i++) {
            // innermost first: the outermost (last) frame is f0, then f1, f2, f0, ...
            deep[deep.length - 1 - i] = compiled("f" + (i % 3));
        }
        int[] out = new int[4];
        assertEquals(1000, s.read(deep, out));
        assertArrayEquals(new int[] {0, 1, 2, 0}, out);
        assertEquals(1000, s.read(deep, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> s.read(deep, null));
        assertThrows(IllegalArgumentException.class, () -> new StackSampler(null));
    }
}
