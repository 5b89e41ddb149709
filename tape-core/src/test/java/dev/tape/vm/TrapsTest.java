package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Constant;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;
import dev.tape.testing.MiniAsm;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.BYTES;
import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.STR;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One program per trap kind, checking the kind, location and context of each trap. */
class TrapsTest {
    static Trap trap(Program p, Host host, Limits limits, Value... args) {
        // lazy linking: a missing host function traps when called
        return assertThrows(Trap.class, () -> new Vm(Verifier.verify(p), host, VmOptions.DEFAULT.withLazyLinking(true))
                .run(0, List.of(args), limits));
    }

    static Trap trap(Program p, Value... args) {
        return trap(p, Host.NONE, Limits.DEFAULT, args);
    }

    static Program unary(Opcode op, ValueType in, ValueType out) {
        MiniAsm a = new MiniAsm();
        a.function(List.of(in), List.of(out), 3, MiniAsm.body().op(op, 2, 1).op(Opcode.RET, 0, new int[] {2}));
        return a.build();
    }

    static Program binary(Opcode op, ValueType in, ValueType out) {
        MiniAsm a = new MiniAsm();
        a.function(List.of(in, in), List.of(out), 4, MiniAsm.body().op(op, 3, 1, 2).op(Opcode.RET, 0, new int[] {3}));
        return a.build();
    }

    @Test
    void divisionTraps() {
        Trap t = trap(binary(Opcode.I64_DIV, I64, I64), Value.i64(1), Value.i64(0));
        assertEquals(TrapKind.DIV_BY_ZERO, t.kind());
        assertEquals(0, t.func());
        assertEquals(0, t.pc());
        assertEquals(Trap.NO_SPAN, t.span());
        assertFalse(t.hasSpan());
        assertEquals(TrapKind.INT_DIV_OVERFLOW, trap(binary(Opcode.I64_REM, I64, I64), Value.i64(Long.MIN_VALUE),
                Value.i64(-1)).kind());
        assertEquals(TrapKind.DIV_BY_ZERO, trap(binary(Opcode.U64_REM, U64, U64), Value.u64(1), Value.u64(0)).kind());
    }

    @Test
    void conversionTraps() {
        assertEquals(TrapKind.INT_CAST_OVERFLOW, trap(unary(Opcode.U64_TO_I64, U64, I64), Value.u64(-1)).kind());
        assertEquals(TrapKind.INT_CAST_OVERFLOW, trap(unary(Opcode.I64_TO_U64, I64, U64), Value.i64(-1)).kind());
        assertEquals(TrapKind.FLOAT_TO_INT_INVALID, trap(unary(Opcode.F64_TO_I64, F64, I64), Value.f64(Double.NaN)).kind());
        assertEquals(TrapKind.INT_CAST_OVERFLOW, trap(unary(Opcode.F64_TO_U64, F64, U64), Value.f64(-0.5)).kind());
    }

    @Test
    void decimalTraps() {
        assertEquals(TrapKind.DECIMAL_SCALE_MISMATCH, trap(binary(Opcode.DEC_ADD, DECIMAL, DECIMAL),
                Value.decimal(1, 1), Value.decimal(1, 2)).kind());
        assertEquals(TrapKind.DECIMAL_OVERFLOW, trap(binary(Opcode.DEC_MUL, DECIMAL, DECIMAL),
                Value.decimal(Long.MAX_VALUE, 0), Value.decimal(2, 0)).kind());
        assertEquals(TrapKind.DECIMAL_SCALE_MISMATCH, trap(unary(Opcode.DEC_TO_I64, DECIMAL, I64),
                Value.decimal(40, 1)).kind());
    }

    @Test
    void textTraps() {
        MiniAsm a = new MiniAsm();
        a.function(List.of(STR, U64, U64), List.of(STR), 5, MiniAsm.body()
                .op(Opcode.STR_SLICE, 4, 1, 2, 3).op(Opcode.RET, 0, new int[] {4}));
        Program slice = a.build();
        assertEquals(TrapKind.INDEX_OUT_OF_BOUNDS, trap(slice, Value.str("abc"), Value.u64(2), Value.u64(9)).kind());
        assertEquals(TrapKind.STR_NOT_CHAR_BOUNDARY, trap(slice, Value.str("é"), Value.u64(0), Value.u64(1)).kind());
        assertEquals(TrapKind.INVALID_UTF8, trap(unary(Opcode.BYTES_TO_STR, BYTES, STR),
                Value.bytes(new byte[] {(byte) 0xC3})).kind());
        MiniAsm g = new MiniAsm();
        g.function(List.of(BYTES), List.of(U64), 3, MiniAsm.body()
                .op(Opcode.BYTES_GET_IMM, 2, 1, 5).op(Opcode.RET, 0, new int[] {2}));
        assertEquals(TrapKind.INDEX_OUT_OF_BOUNDS, trap(g.build(), Value.bytes(new byte[2])).kind());
    }

    @Test
    void aggregateIndexOutOfRangeIsAnAggError() {
        MiniAsm a = new MiniAsm().types(new TypeTable(List.of(), List.of(), List.of(I64)));
        a.function(List.of(U64), List.of(I64), 4, MiniAsm.body()
                .op(Opcode.CONST_I64, 2, 5)
                .op(Opcode.ARRAY_NEW, 3, 0, new int[] {2, 2})
                .op(Opcode.ARRAY_GET, 2, 3, 1).op(Opcode.RET, 0, new int[] {2}));
        Trap t = trap(a.build(), Value.u64(2));
        assertEquals(TrapKind.AGG_ERROR, t.kind());
        assertEquals(9, t.pc());
    }

    @Test
    void trapInstructionCarriesItsCodeAndSpan() {
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.NOP).op(Opcode.TRAP, 7),
                List.of(new SpanEntry(1, 42)));
        Trap t = trap(a.build());
        assertEquals(TrapKind.TRAP_CODE, t.kind());
        assertEquals(7, t.code());
        assertEquals("trap_code(7)", t.label());
        assertEquals(1, t.pc());
        assertEquals(42, t.span());
        assertTrue(t.hasSpan());
    }

    @Test
    void fuelIsCheckedBeforeEachInstruction() throws Exception {
        Program p = unary(Opcode.BOOL_NOT, ValueType.BOOL, ValueType.BOOL);
        Vm vm = new Vm(Verifier.verify(p), Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        assertEquals(List.of(Value.bool(false)), vm.run(ctx, 0, List.of(Value.bool(true)), Limits.DEFAULT.withFuel(2), null));
        assertEquals(0, ctx.fuelRemaining());
        Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.bool(true)), Limits.DEFAULT.withFuel(1)));
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        assertEquals(3, t.pc(), "the ret after bool.not is where the budget runs out");
        assertEquals(0, t.fuelRemaining());
    }

    static Program recursion() {
        // f(n) = n == 0 ? 0 : f(n - 1) + 1
        MiniAsm a = new MiniAsm();
        a.function(List.of(I64), List.of(I64), 6, MiniAsm.body()
                .op(Opcode.CONST_I64, 2, 0)
                .op(Opcode.I64_EQ, 3, 1, 2)
                .op(Opcode.BR, 3, "base", "rec")
                .label("base").op(Opcode.RET, 0, new int[] {2})
                .label("rec").op(Opcode.CONST_I64, 4, 1)
                .op(Opcode.I64_SUB, 5, 1, 4)
                .op(Opcode.CALL, 0, 0, 0, new int[] {5}, new int[] {5})
                .op(Opcode.I64_ADD, 5, 5, 4)
                .op(Opcode.RET, 0, new int[] {5}));
        return a.build();
    }

    @Test
    void callDepthIsLimitedAndReportsTheStack() {
        Trap t = trap(recursion(), Host.NONE, Limits.DEFAULT.withMaxCallDepth(10), Value.i64(50));
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, t.kind());
        assertEquals(10, t.stack().size(), "ten frames are live when the eleventh call traps");
    }

    @Test
    void deepRecursionRunsOnTheHeap() throws Exception {
        Vm vm = new Vm(Verifier.verify(recursion()), Host.NONE);
        List<Value> out = vm.run(0, List.of(Value.i64(100_000)),
                Limits.DEFAULT.withMaxCallDepth(100_001).withFuel(10_000_000));
        assertEquals(List.of(Value.i64(100_000)), out);
    }

    static Program hostProgram(ValueType arg, ValueType ret) {
        MiniAsm a = new MiniAsm();
        int sig = a.hostSig("h.f", List.of(arg), List.of(ret));
        a.function(List.of(arg), List.of(ret), 3, MiniAsm.body()
                .op(Opcode.HOST_CALL, 0, sig, 0, new int[] {1}, new int[] {2})
                .op(Opcode.RET, 0, new int[] {2}));
        return a.build();
    }

    @Test
    void hostFailuresBecomeTraps() {
        Program p = hostProgram(I64, I64);
        Signature sig = Signature.of(List.of(I64), List.of(I64));
        Trap unknown = trap(p, Value.i64(1));
        assertEquals(TrapKind.HOST_CALL_FAILED, unknown.kind());
        assertEquals("h.f", unknown.hostSymbol());
        Host throwing = new HostRegistry().register("h.f", sig, (HostFunction.Simple) args -> {
            throw new IllegalStateException("boom");
        });
        Trap thrown = trap(p, throwing, Limits.DEFAULT, Value.i64(1));
        assertEquals(TrapKind.HOST_CALL_FAILED, thrown.kind());
        assertTrue(thrown.detail().contains("boom"));
        assertEquals(sig.hash(), thrown.sigHash());
        Host npe = new HostRegistry().register("h.f", sig, (HostFunction.Simple) args -> {
            Object o = null;
            return new Value[] {Value.i64(o.hashCode())};
        });
        assertEquals(TrapKind.HOST_CALL_FAILED, trap(p, npe, Limits.DEFAULT, Value.i64(1)).kind());
        Host wrongType = new HostRegistry().register("h.f", sig, (HostFunction.Simple) args -> new Value[] {Value.f64(1)});
        assertEquals(TrapKind.TYPE_MISMATCH, trap(p, wrongType, Limits.DEFAULT, Value.i64(1)).kind());
        Host wrongCount = new HostRegistry().register("h.f", sig, (HostFunction.Simple) args -> new Value[0]);
        assertEquals(TrapKind.HOST_RETURN_ARITY_MISMATCH, trap(p, wrongCount, Limits.DEFAULT, Value.i64(1)).kind());
        Host ok = new HostRegistry().register("h.f", sig, (HostFunction.Simple) args -> args);
        assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED,
                trap(p, ok, Limits.DEFAULT.withMaxHostCalls(0), Value.i64(1)).kind());
    }

    @Test
    void hostChargesFuelSaturating() {
        Program p = hostProgram(I64, I64);
        Host charging = new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (args, out, ctx) -> {
                    ctx.chargeFuel(1_000);
                    out[0] = args[0];
                });
        Trap t = trap(p, charging, Limits.DEFAULT.withFuel(100), Value.i64(1));
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        assertEquals(8, t.pc(), "the trap lands on the ret after the 8-byte host call");
    }

    @Test
    void runArgumentsAreChecked() {
        Program p = unary(Opcode.BOOL_NOT, ValueType.BOOL, ValueType.BOOL);
        assertEquals(TrapKind.ARITY_MISMATCH, trap(p).kind());
        assertEquals(TrapKind.TYPE_MISMATCH, trap(p, Value.i64(1)).kind());
        Trap e = assertThrows(Trap.class, () -> new Vm(Verifier.verify(p), Host.NONE).run(5, List.of(), Limits.DEFAULT));
        assertEquals(TrapKind.INVALID_ENTRY, e.kind());
    }

    @Test
    void callIndirectChecksTheCalleeAtRunTime() {
        MiniAsm a = new MiniAsm();
        int cs = a.callSig(List.of(I64), List.of(I64));
        a.function(List.of(), List.of(), 3, MiniAsm.body()
                .op(Opcode.CONST_FUNC, 1, 1)
                .op(Opcode.CONST_I64, 2, 3)
                .op(Opcode.CALL_INDIRECT, 0, cs, 1, 0, new int[] {2}, new int[] {2})
                .op(Opcode.RET, 0, new int[0]));
        a.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        assertEquals(TrapKind.ARITY_MISMATCH, trap(a.build()).kind());
    }

    @Test
    void stringDoublingHitsTheHeapLimitNotTheJvm() {
        MiniAsm a = new MiniAsm();
        int c = a.constant(new Constant.Str("0123456789abcdef"));
        a.function(List.of(), List.of(), 3, MiniAsm.body()
                .op(Opcode.CONST_POOL, 1, c)
                .op(Opcode.JMP, "loop")
                .label("loop").op(Opcode.STR_CONCAT, 1, 1, 1)
                .op(Opcode.JMP, "loop"));
        Trap t = trap(a.build(), Host.NONE, Limits.DEFAULT.withFuel(Long.MAX_VALUE));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind());
    }

    @Test
    void aggregatesReachHostsDeep() throws Exception {
        MiniAsm a = new MiniAsm();
        int sig = a.hostSig("sum", List.of(AGG), List.of(I64));
        a.function(List.of(I64, I64), List.of(I64), 5, MiniAsm.body()
                .op(Opcode.TUPLE_NEW, 3, new int[] {1, 2})
                .op(Opcode.HOST_CALL, 0, sig, 0, new int[] {3}, new int[] {4})
                .op(Opcode.RET, 0, new int[] {4}));
        Host host = new HostRegistry().register("sum", Signature.of(List.of(AGG), List.of(I64)),
                (HostFunction.Simple) args -> {
                    dev.tape.value.Aggregate t = (dev.tape.value.Aggregate) args[0];
                    return new Value[] {Value.i64(((Value.I64) t.get(0)).value() + ((Value.I64) t.get(1)).value())};
                });
        assertEquals(List.of(Value.i64(42)), new Vm(Verifier.verify(a.build()), host)
                .run(0, List.of(Value.i64(40), Value.i64(2)), Limits.DEFAULT));
    }
}
