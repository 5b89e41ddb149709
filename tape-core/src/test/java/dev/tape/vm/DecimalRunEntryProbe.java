package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.Verifier;

import java.util.List;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;

/**
 * The program of {@link DecimalRunEntryTest}, run in the class loader that test makes: function 0
 * sets up two words, calls function 1, which does some word arithmetic and then its first decimal
 * instruction ({@code i64.to_dec}, the {@link #BEFORE}-th instruction run, counting from 0) and two
 * more; both return.
 */
public final class DecimalRunEntryProbe {
    private DecimalRunEntryProbe() {}

    /** the instructions run before the first decimal one */
    public static final int BEFORE = 7;

    private static Vm vm() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(), List.of(DECIMAL));
        int f1 = pb.declareFunction(List.of(I64), List.of(DECIMAL));
        // 3 instructions, then 4 in function 1 before its i64.to_dec
        main.constI64(1, 20).constI64(2, 22).call(0, f1, 0, new int[] {2}, new int[] {3}).ret(0, 3);
        pb.function(f1).constI64(2, 3).i64Mul(3, 1, 2).constI64(4, 1).binary(Opcode.I64_SUB, 3, 3, 4)
                .emit(Opcode.I64_TO_DEC, 5, 3, 2).binary(Opcode.DEC_ADD, 6, 5, 5).binary(Opcode.DEC_MUL, 6, 6, 5)
                .ret(0, 6);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    /**
     * Runs the program with {@code fuel} in a fresh context.
     *
     * @param fuel the fuel
     * @return the results and fuel left, or the trap's kind, function, pc and fuel left
     * @throws Exception when the program does not verify
     */
    public static String run(long fuel) throws Exception {
        return RunEntryProbe.outcome(vm(), List.of(), fuel);
    }
}
