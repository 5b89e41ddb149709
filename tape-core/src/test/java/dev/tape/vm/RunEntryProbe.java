package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;

import java.util.List;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;

/**
 * The program of {@link RunEntryTest}, run in the class loader that test makes: function 0 sets up
 * two words and calls function 1, which does some word arithmetic, then its first
 * {@code tuple.new} (the {@link #TUPLE_BEFORE}-th instruction run, counting from 0) and a
 * {@code tuple.get}, then {@code i64.to_f64}+{@code f64.mul}+{@code f64.add} (the
 * {@link #FLOAT_BEFORE}-th), {@code f64.div} and a {@code mov} (so the run takes three
 * instructions: {@link dev.tape.verify.internal.LOp#floatRun}); both return. {@link #shortRuns}
 * runs a loop whose f64 instructions would start runs of one or two instructions only.
 */
public final class RunEntryProbe {
    private RunEntryProbe() {}

    /** the instructions run before the first tuple.new */
    public static final int TUPLE_BEFORE = 7;
    /** the instructions run before the first f64 one */
    public static final int FLOAT_BEFORE = 9;

    private static Vm vm() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(), List.of(I64));
        int f1 = pb.declareFunction(List.of(I64), List.of(I64));
        main.constI64(1, 20).constI64(2, 22).call(0, f1, 0, new int[] {2}, new int[] {3}).ret(0, 3);
        pb.function(f1).constI64(2, 3).i64Mul(3, 1, 2).constI64(4, 1).binary(Opcode.I64_SUB, 3, 3, 4)
                .tupleNew(5, 3, 2).tupleGet(6, 5, 0)
                .unary(Opcode.I64_TO_F64, 7, 6).binary(Opcode.F64_MUL, 8, 7, 7).binary(Opcode.F64_ADD, 9, 8, 7)
                .binary(Opcode.F64_DIV, 10, 9, 7).mov(12, 6).unary(Opcode.F64_TO_I64, 11, 10)
                .i64Add(6, 6, 11).ret(0, 6);
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
        return outcome(vm(), List.of(), fuel);
    }

    /**
     * Runs, with fuel 10,000, a loop of 5 trips whose f64 instructions are each followed by one the
     * run leaves to {@code execute} ({@code i64.xor}, {@code f64.neg}) right away
     * ({@code f64.le} too) or after one instruction it takes ({@code mov}, a constant, {@code f64.lt}, {@code i64.add},
     * another f64 instruction): a {@link FloatRun} would run one or two instructions there.
     *
     * @return the results and fuel left, or the trap's kind, function, pc and fuel left
     * @throws Exception when the program does not verify
     */
    public static String shortRuns() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64, F64));
        f.constI64(3, 0).constI64(4, 1).constI64(5, 7).constI64(6, 3).constI64(7, 0).constI64(8, 2)
                .constF64(15, 0.25).constF64(16, 1.5).constF64(17, -2.0);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top)
                .binary(Opcode.F64_ADD, 15, 15, 16).mov(5, 6).binary(Opcode.I64_XOR, 7, 7, 5)
                .unary(Opcode.I64_TO_F64, 17, 3).constI64(6, 9).binary(Opcode.I64_XOR, 7, 7, 6)
                .binary(Opcode.F64_MUL, 16, 16, 17).binary(Opcode.F64_ADD, 17, 16, 15).unary(Opcode.F64_NEG, 17, 17)
                .binary(Opcode.F64_DIV, 16, 16, 15).binary(Opcode.F64_LT, 12, 16, 17).binary(Opcode.F64_LE, 14, 16, 17)
                .binary(Opcode.F64_SUB, 15, 15, 17).binary(Opcode.F64_MUL, 15, 15, 16).unary(Opcode.F64_NEG, 15, 15)
                .unary(Opcode.I64_TO_F64, 17, 3).binary(Opcode.F64_MUL, 17, 17, 16).binary(Opcode.F64_ADD, 17, 17, 15)
                .i64Add(7, 7, 8).binary(Opcode.I64_XOR, 7, 7, 3)
                .i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 7, 15, 17);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        return outcome(vm, List.of(Value.i64(5)), 10_000);
    }

    /**
     * Runs, with {@code fuel}, a counted loop of 5 trips of word instructions ({@code i64.add},
     * {@code i64.sub}, then {@code i64.add} + {@code i64.lt}+{@code br}) whose latch hands the loop to
     * a {@link WordRun} at its second trip ({@link dev.tape.verify.internal.LOp#I64_ADD_LT_BR_RUN}):
     * 4 constants and the guard (6 instructions), 5 trips of 5, the {@code ret}; returns the sum of
     * i - 1 over i &lt; 5 (5).
     *
     * @param fuel the fuel
     * @return the results and fuel left, or the trap's kind, function, pc and fuel left
     * @throws Exception when the program does not verify
     */
    public static String countedLoop(long fuel) throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of(I64));
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.constI64(1, 0).constI64(2, 0).constI64(3, 1).constI64(4, 5).i64Lt(5, 2, 4).br(5, top, exit);
        f.place(top).i64Add(1, 1, 2).i64Sub(1, 1, 3).i64Add(2, 2, 3).i64Lt(5, 2, 4).br(5, top, exit);
        f.place(exit).ret(0, 1);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        return outcome(vm, List.of(), fuel);
    }

    /**
     * Runs, with {@code fuel}, a function that builds an i64 array [5, 7] (4 instructions), reads
     * its element 1 into a word register (the 5th instruction run), which starts an
     * {@link ArrayRun} ({@code i64.add} follows), reads it again, adds and returns 5 + 7 + 7 (19).
     *
     * @param fuel the fuel
     * @return the results and fuel left, or the trap's kind, function, pc and fuel left
     * @throws Exception when the program does not verify
     */
    public static String arrayRead(long fuel) throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        int ints = pb.arrayElem(I64);
        FunctionBuilder f = pb.addFunction(List.of(), List.of(I64));
        f.constI64(1, 5).constI64(2, 7).arrayNew(3, ints, 1, 2).constU64(4, 1).arrayGet(5, 3, 4).i64Add(6, 5, 1)
                .arrayGet(7, 3, 4).i64Add(6, 6, 7).ret(0, 6);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        return outcome(vm, List.of(), fuel);
    }

    /**
     * Runs function 0 of a VM in a fresh context (the ending of this class's runs and
     * {@link DecimalRunEntryProbe}'s).
     *
     * @param vm the VM
     * @param args its arguments
     * @param fuel the fuel
     * @return the results and fuel left ({@code "ok [i64:5] 9965"}), or the trap's kind, function,
     *     pc and fuel left
     */
    public static String outcome(Vm vm, List<Value> args, long fuel) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, args, Limits.DEFAULT.withFuel(fuel), null);
            return "ok " + out + " " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining();
        }
    }
}
