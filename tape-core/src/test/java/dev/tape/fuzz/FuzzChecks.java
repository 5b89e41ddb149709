package dev.tape.fuzz;

import dev.tape.format.DecodeException;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bodies of the fuzz targets, shared by the JUnit {@code @FuzzTest}s ({@link TapeFuzzTest}) and
 * anything else that wants to replay an input. The allowed outcomes are a result,
 * {@link DecodeException}, {@link VerifyException} and a {@link Trap} of any kind but
 * {@link TrapKind#INTERNAL_ERROR} (which means the VM caught a bug of its own). Anything else (any
 * other exception or error) escapes from these methods and is a finding.
 */
public final class FuzzChecks {
    private FuzzChecks() {}

    /** The limits of fuzzed runs: fuel 100,000, depth 64, 100 host calls, 1 MiB heap, 262,144 registers. */
    public static final Limits LIMITS = new Limits(100_000, 64, 100, 1 << 20, 1 << 18);

    /**
     * How a run ended, in a form that can be compared for determinism.
     *
     * @param text the results as value literals, or the trap as
     *     {@code trap KIND func F pc P span S}
     * @param fuelRemaining the fuel left
     */
    public record Outcome(String text, long fuelRemaining) {}

    /** Target (a): decoding arbitrary bytes either gives a program or throws DecodeException. */
    public static Program decode(byte[] data) {
        try {
            return ProgramDecoder.decode(data);
        } catch (DecodeException e) {
            return null;
        }
    }

    /** Target (b): decode, then verify; a DecodeException or VerifyException is fine. */
    public static VerifiedProgram verify(byte[] data) {
        Program p = decode(data);
        if (p == null) {
            return null;
        }
        try {
            return Verifier.verify(p);
        } catch (VerifyException e) {
            return null;
        }
    }

    /**
     * Target (c): decode, verify and run function 0 with arguments of its types (derived from the
     * input's hash) under {@link #LIMITS}. The run is done three ways (fresh context; the same
     * context reused; traced, stepping one instruction at a time) and all three must agree on the
     * results or trap (kind, function, pc, span) and the fuel left.
     */
    public static void run(byte[] data) {
        VerifiedProgram vp = verify(data);
        if (vp == null || vp.program().functions().isEmpty()) {
            return;
        }
        List<Value> args = entryArgs(vp, data);
        Vm vm = new Vm(vp, FuzzHost.INSTANCE, VmOptions.DEFAULT.withLazyLinking(true));
        ExecutionContext ctx = new ExecutionContext();
        Outcome first = outcome(vm, ctx, args, null);
        Outcome again = outcome(vm, ctx, args, null);
        Outcome traced = outcome(vm, new ExecutionContext(), args, new CountingSink());
        if (!first.equals(again) || !first.equals(traced)) {
            throw new AssertionError("the same run ended differently: " + first + " / reused context " + again
                    + " / traced " + traced);
        }
    }

    /**
     * The arguments a fuzzed run passes to function 0: of its exact types, derived from the input's
     * hash (so the same input always runs with the same arguments). Shared by every target that
     * runs an input.
     *
     * @param vp the verified program decoded from {@code data}, with at least one function
     * @param data the fuzz input
     * @return one argument per parameter of function 0
     */
    public static List<Value> entryArgs(VerifiedProgram vp, byte[] data) {
        return FuzzArgs.forFunction(vp.program(), 0, Arrays.hashCode(data));
    }

    /**
     * Runs function 0 and describes how it ended.
     *
     * @throws AssertionError when the run traps {@code internal_error}
     */
    public static Outcome outcome(Vm vm, ExecutionContext ctx, List<Value> args, TraceSink sink) {
        try {
            List<Value> out = vm.run(ctx, 0, args, LIMITS, sink);
            List<String> texts = new ArrayList<>(out.size());
            for (Value v : out) {
                texts.add(ValueLiteral.format(v));
            }
            return new Outcome(String.join(", ", texts), ctx.fuelRemaining());
        } catch (Trap t) {
            if (t.kind() == TrapKind.INTERNAL_ERROR) {
                throw new AssertionError("the VM reported an internal error: " + t.getMessage());
            }
            return new Outcome("trap " + t.label() + " func " + t.func() + " pc " + t.pc() + " span " + t.span(),
                    t.fuelRemaining());
        }
    }

    /** A sink that takes every event and counts them (so the traced loop runs). */
    static final class CountingSink implements TraceSink {
        long events;

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            events++;
        }

        @Override
        public void callEnter(int func, int depth) {
            events++;
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            events++;
        }
    }
}
