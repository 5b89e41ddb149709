package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.Verifier;
import jdk.jfr.Recording;

import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * The runs of {@link AttackRecorderLookTest}, made in the class loader that test makes: with a
 * Flight Recorder recording going, a one-shot {@link Vm#run} of a two-instruction program and a
 * {@link Run} started and resumed, each of which looks whether a recording wants host-call events
 * ({@code ExecutionContext.lookForRecorder}) before it runs.
 */
public final class RecorderLookProbe {
    private RecorderLookProbe() {}

    /**
     * Runs the program once with {@link Vm#run} and once through {@link Vm#start} and
     * {@link Run#resume}, while a recording runs.
     *
     * @return both runs' results, or what escaped, as text
     */
    public static String runs() {
        try (Recording rec = new Recording()) {
            rec.start();
            ProgramBuilder pb = new ProgramBuilder();
            FunctionBuilder f = pb.addFunction(List.of(), List.of(I64));
            f.constI64(1, 42).ret(0, 1);
            Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
            String one = String.valueOf(vm.run(new ExecutionContext(), 0, List.of(), Limits.DEFAULT, null));
            Run r = vm.start(new ExecutionContext(), 0, List.of(), Limits.DEFAULT, null);
            return one + " " + r.resume();
        } catch (Throwable e) {
            return "escaped " + e;
        }
    }
}
