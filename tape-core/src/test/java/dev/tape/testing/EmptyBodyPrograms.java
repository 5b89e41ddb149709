package dev.tape.testing;

import dev.tape.format.Opcode;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.ValueType;

import java.util.List;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.I64;

/**
 * Programs with a function whose bytecode is empty (0 bytes), which the reference verifier accepts
 * whether or not anything calls it. In each, function 1 is the empty one and function 0 the entry;
 * the empty function's span table has one entry at pc 0 with span id 42, except in
 * {@link #uncalled()}.
 */
public final class EmptyBodyPrograms {
    private EmptyBodyPrograms() {}

    /** The span id in force at pc 0 of the empty function. */
    public static final long SPAN = 42;

    private static final List<SpanEntry> AT_0 = List.of(new SpanEntry(0, SPAN));

    /** @return main() -> (i64) returns 7; function 1, () -> (), is empty and not called */
    public static Program uncalled() {
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(I64), 2, MiniAsm.body().op(Opcode.CONST_I64, 1, 7L)
                .op(Opcode.RET, 0, new int[] {1}));
        a.function(List.of(), List.of(), 1, MiniAsm.body());
        return a.build();
    }

    /** @return main() -> (i64) calls the empty (i64) -> (i64) with 5 (the call at pc 3) */
    public static Program direct() {
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(I64), 3, MiniAsm.body().op(Opcode.CONST_I64, 1, 5L)
                .op(Opcode.CALL, 0, 1, 0, new int[] {1}, new int[] {2}).op(Opcode.RET, 0, new int[] {2}));
        a.function(List.of(I64), List.of(I64), 2, MiniAsm.body(), AT_0);
        return a.build();
    }

    /** @return main() -> (i64) calls the empty (i64) -> (i64) through call.indirect of a func */
    public static Program indirect() {
        MiniAsm a = new MiniAsm();
        int sig = a.callSig(List.of(I64), List.of(I64));
        a.function(List.of(), List.of(I64), 4, MiniAsm.body().op(Opcode.CONST_FUNC, 1, 1)
                .op(Opcode.CONST_I64, 2, 5L)
                .op(Opcode.CALL_INDIRECT, 0, sig, 1, 0, new int[] {2}, new int[] {3})
                .op(Opcode.RET, 0, new int[] {3}));
        a.function(List.of(I64), List.of(I64), 2, MiniAsm.body(), AT_0);
        return a.build();
    }

    /** @return main() -> (i64) calls a closure over the empty (agg, i64) -> (i64) */
    public static Program closure() {
        MiniAsm a = new MiniAsm();
        int sig = a.callSig(List.of(I64), List.of(I64));
        a.function(List.of(), List.of(I64), 6, MiniAsm.body().op(Opcode.TUPLE_NEW, 1, new int[0])
                .op(Opcode.CONST_FUNC, 2, 1)
                .op(Opcode.CLOSURE_NEW, 3, 2, 1)
                .op(Opcode.CONST_I64, 4, 5L)
                .op(Opcode.CALL_INDIRECT, 0, sig, 3, 0, new int[] {4}, new int[] {5})
                .op(Opcode.RET, 0, new int[] {5}));
        a.function(List.of(AGG, I64), List.of(I64), 3, MiniAsm.body(), AT_0);
        return a.build();
    }

    /**
     * @param args the empty function's arguments
     * @param regs its register count
     * @return main() -> () that returns, and an empty function with that signature and registers
     */
    public static Program emptyWith(List<ValueType> args, int regs) {
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        a.function(args, List.of(), regs, MiniAsm.body());
        return a.build();
    }
}
