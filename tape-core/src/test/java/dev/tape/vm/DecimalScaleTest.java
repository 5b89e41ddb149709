package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.testing.MiniAsm;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code i64.to_dec} and {@code u64.to_dec} at every scale around the largest power of ten an i64
 * holds (10^18): the interpreter's table of powers must give the products and traps that
 * multiplying by ten {@code scale} times gave.
 */
class DecimalScaleTest {
    private static Program toDec(Opcode op, ValueType in, int scale) {
        MiniAsm a = new MiniAsm();
        a.function(List.of(in), List.of(DECIMAL), 3,
                MiniAsm.body().op(op, 2, 1, scale).op(Opcode.RET, 0, new int[] {2}));
        return a.build();
    }

    private static Value run(Opcode op, ValueType in, int scale, Value arg) throws Exception {
        return new Vm(Verifier.verify(toDec(op, in, scale)), Host.NONE).run(0, List.of(arg), Limits.DEFAULT).get(0);
    }

    @Test
    void everyScaleUpTo18MultipliesByItsPowerOfTen() throws Exception {
        long p = 1;
        for (int scale = 0; scale <= 18; scale++) {
            assertEquals(Value.decimal(7 * p, scale), run(Opcode.I64_TO_DEC, I64, scale, Value.i64(7)), "scale " + scale);
            assertEquals(Value.decimal(-p, scale), run(Opcode.I64_TO_DEC, I64, scale, Value.i64(-1)), "scale " + scale);
            assertEquals(Value.decimal(p, scale), run(Opcode.U64_TO_DEC, U64, scale, Value.u64(1)), "scale " + scale);
            p *= 10;
        }
        assertEquals(Value.decimal(9_000_000_000_000_000_000L, 18), run(Opcode.I64_TO_DEC, I64, 18, Value.i64(9)));
    }

    @Test
    void aProductPastI64TrapsDecimalOverflow() {
        Trap t = assertThrows(Trap.class, () -> run(Opcode.I64_TO_DEC, I64, 18, Value.i64(10)));
        assertEquals(TrapKind.DECIMAL_OVERFLOW, t.kind());
        t = assertThrows(Trap.class, () -> run(Opcode.U64_TO_DEC, U64, 1, Value.u64(Long.MAX_VALUE)));
        assertEquals(TrapKind.DECIMAL_OVERFLOW, t.kind());
    }

    @Test
    void scalesAbove18TrapEvenForZero() {
        for (int scale : new int[] {19, 20, 100, 255}) {
            Trap t = assertThrows(Trap.class, () -> run(Opcode.I64_TO_DEC, I64, scale, Value.i64(0)));
            assertEquals(TrapKind.DECIMAL_OVERFLOW, t.kind(), "scale " + scale);
            assertEquals(0, t.pc(), "scale " + scale);
            t = assertThrows(Trap.class, () -> run(Opcode.U64_TO_DEC, U64, scale, Value.u64(0)));
            assertEquals(TrapKind.DECIMAL_OVERFLOW, t.kind(), "scale " + scale);
        }
    }
}
