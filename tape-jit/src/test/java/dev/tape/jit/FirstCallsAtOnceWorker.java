package dev.tape.jit;

import dev.tape.TapeException;
import dev.tape.asm.Assembler;
import dev.tape.asm.Disassembler;
import dev.tape.host.ConformanceHost;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;

import java.util.List;

/**
 * For {@code FirstCallsAtOnceTest}, loaded in a class loader of its own: one kind of embedder's work
 * on a list of programs (decode and verify; interpreted runs; compiled runs, inlining or framed and
 * precompiled; paused, snapshotted and restored runs on either tier; disassembly and assembly), as
 * many embedder threads' first calls into tape at once would make them, some from inside a static
 * initialiser of a class of the embedder's ({@link InInitialiser}). {@link #work} tells what each
 * gave, which must be what the same work gives in any other class loader.
 */
final class FirstCallsAtOnceWorker {
    private FirstCallsAtOnceWorker() {}

    /** the kinds of work */
    static final int KINDS = 8;

    /** the fuel of the paused runs' first slice */
    private static final long SLICE = 7;

    /** the programs the initialisers' work uses, set before they run */
    static volatile byte[][] programs;

    /**
     * Does one kind of work on every program.
     *
     * @param kind 0 decode and verify, 1 interpreted runs, 2 compiled runs, 3 framed compiled runs after
     *     {@link Jit#precompile}, 4 and 5 interpreted and compiled runs paused, snapshotted, restored
     *     and resumed, 6 disassembly, assembly and verification, 7 {@link Jit#warmUp()} then kind 3
     * @param bytes the programs' bytes
     * @return what each program gave, a line each
     */
    static String work(int kind, byte[][] bytes) {
        if (kind == 7) {
            Jit.warmUp();
            kind = 3;
        }
        StringBuilder out = new StringBuilder();
        for (byte[] b : bytes) {
            out.append(one(kind, b)).append('\n');
        }
        return out.toString();
    }

    private static String one(int kind, byte[] bytes) {
        Program p;
        try {
            p = ProgramDecoder.decode(bytes);
        } catch (TapeException e) {
            return "refused";
        }
        if (kind == 6) {
            String text = Disassembler.disassemble(p);
            try {
                p = Assembler.assemble(text, "back.tasm");
            } catch (TapeException e) {
                return "not reassembled: " + e.getMessage();
            }
        }
        VerifiedProgram v;
        try {
            v = Verifier.verify(p);
        } catch (VerifyException e) {
            return "rejected";
        }
        List<Value> args = FirstUseChain.argsOf(v);
        if (kind == 0 || kind == 6 || args == null) {
            return "verified " + p.functions().size() + (args == null ? " no args" : "");
        }
        VmOptions o = VmOptions.DEFAULT.withLazyLinking(true);
        Vm vm = switch (kind) {
            case 1, 4 -> new Vm(v, new ConformanceHost(), o);
            case 2, 5 -> Jit.compile(v, new ConformanceHost(), o);
            default -> Jit.compileFramed(v, new ConformanceHost(), o);
        };
        if (kind == 3) {
            Jit.precompile(vm);
        }
        if (kind < 4) {
            try {
                return "returned " + vm.run(0, args, Limits.DEFAULT);
            } catch (Trap t) {
                return trap(t);
            }
        }
        Run r = vm.start(0, args, Limits.DEFAULT.withFuel(SLICE));
        String first = outcome(r, r.resume());
        if (r.ended()) {
            return first;
        }
        Run back = vm.restore(r.snapshot());
        back.addFuel(Limits.DEFAULT.fuel());
        return first + "; restored " + outcome(back, back.resume());
    }

    private static String outcome(Run r, Outcome o) {
        String fuel = " fuel " + r.fuelRemaining();
        if (o instanceof Outcome.Trapped t) {
            return trap(t.trap()) + fuel;
        }
        if (o instanceof Outcome.Done d) {
            return "returned " + d.values() + fuel;
        }
        return "paused " + ((Outcome.Paused) o).reason().getClass().getSimpleName() + fuel;
    }

    /** a trap's kind, code and place; the message of the JVM's error a run caught */
    private static String trap(Trap t) {
        if (t.kind() == TrapKind.INTERNAL_ERROR) {
            return "internal error: " + t.getMessage();
        }
        return "trapped " + t.kind() + " " + t.code() + " at " + t.func() + ":" + t.pc() + " span " + t.span();
    }

    /**
     * Embedder classes whose static initialisers make their first calls into tape (kinds 2, 4 and 6
     * on {@link #programs}): a thread that initialises one holds its initialisation lock while
     * tape's first call waits for {@code ClassInit}'s thread.
     */
    static final class InInitialiser {
        private InInitialiser() {}

        /** initialised by a thread of its own: kind 2 */
        static final class Compiled {
            private Compiled() {}

            static final String SAID = work(2, programs);
        }

        /** kind 4 */
        static final class Paused {
            private Paused() {}

            static final String SAID = work(4, programs);
        }

        /** kind 6 */
        static final class Assembled {
            private Assembled() {}

            static final String SAID = work(6, programs);
        }
    }
}
