package dev.tape.jit;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;

import java.util.ArrayList;
import java.util.List;

/**
 * For {@code WarmupTest}, the main class of a fresh JVM: runs the warm-up's work on this thread,
 * assembles and verifies the programs given as text in {@code args} (pairs of source and argument),
 * runs each once on the interpreter (so that what running needs besides the compile is loaded),
 * then loads {@link Marker} (which the JVM's class-load log shows) and runs each on the compiled
 * tier, printing the results. What the log shows after the marker was loaded by the first compiles.
 */
final class WarmupFirstCompileMain {
    private WarmupFirstCompileMain() {}

    /** Loaded, and so logged, right before the first compile. */
    static final class Marker {
        private Marker() {}
    }

    /**
     * @param args pairs: a program's assembly text and its one i64 argument
     * @throws Exception when a program does not assemble or verify, or the marker cannot load
     */
    public static void main(String[] args) throws Exception {
        // the compiles' own Jit.compile must not start the thread: the work is done here, before
        System.setProperty(Warmup.OFF_PROPERTY, "false");
        int steps = Warmup.run();
        List<VerifiedProgram> programs = new ArrayList<>();
        List<List<Value>> inputs = new ArrayList<>();
        StringBuilder out = new StringBuilder("warm-up " + steps);
        for (int i = 0; i < args.length; i += 2) {
            programs.add(Verifier.verify(Assembler.assemble(args[i], "p" + i + ".tasm")));
            inputs.add(List.of(Value.i64(Long.parseLong(args[i + 1]))));
            out.append(" interpreted ").append(new Vm(programs.get(i / 2), Host.NONE)
                    .run(0, inputs.get(i / 2), Limits.DEFAULT));
        }
        Class.forName(Marker.class.getName());
        for (int i = 0; i < programs.size(); i++) {
            Vm vm = Jit.compile(programs.get(i), Host.NONE);
            out.append(" compiled ").append(vm.run(0, inputs.get(i), Limits.DEFAULT)).append(' ')
                    .append(Jit.compiledFunctions(vm));
        }
        System.out.println(out);
    }
}
