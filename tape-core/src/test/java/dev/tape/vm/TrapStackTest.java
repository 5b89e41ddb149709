package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.testing.TrapPrograms;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a trap says about where it happened: span ids over the whole unsigned 64-bit range, "no span"
 * apart from all of them, and a call stack of bounded size at any depth.
 */
class TrapStackTest {
    private static final TrapPrograms.Deep DEEP = TrapPrograms.deep(true);

    private static Vm vm() throws Exception {
        return new Vm(Verifier.verify(DEEP.program()), Host.NONE);
    }

    private static Limits depth(int frames) {
        return Limits.DEFAULT.withMaxCallDepth(frames);
    }

    @Test
    void spanIdsFrom2To63Up() throws Exception {
        Trap t = assertThrows(Trap.class, () -> vm().run(0, List.of(Value.i64(2)), Limits.DEFAULT));
        assertEquals(TrapKind.DIV_BY_ZERO, t.kind());
        assertEquals(1, t.func());
        assertEquals(DEEP.bottom(), t.pc());
        assertTrue(t.hasSpan());
        assertEquals("9223372036854775808", Long.toUnsignedString(t.span()));
        assertEquals("trap: div_by_zero at 1 (down) pc " + DEEP.bottom() + " span 9223372036854775808: i64 division"
                + " by zero", t.getMessage());
        assertEquals(DEEP.wholeStack(2), t.stack());
        assertEquals(0, t.elidedFrames());
        Trap.Frame caller = t.stack().get(1);
        assertTrue(caller.hasSpan());
        assertEquals("18446744073709551615", Trap.spanText(caller.span()));
        Trap.Frame entry = t.stack().get(3);
        assertFalse(entry.hasSpan());
        assertEquals("none", Trap.spanText(entry.span()));
    }

    @Test
    void traceEventsCarryTheSameSpans() throws Exception {
        List<Long> spans = new ArrayList<>();
        TraceSink sink = new TraceSink() {
            @Override
            public int mask() {
                return TraceMask.INSTR;
            }

            @Override
            public void instr(int func, int pc, long span, int opcode) {
                spans.add(span);
            }
        };
        assertThrows(Trap.class, () -> vm().run(new ExecutionContext(), 0, List.of(Value.i64(1)), Limits.DEFAULT,
                sink));
        // main's call (no span); down(1): 4 under SPAN_DOWN, then the 2 before the call, which
        // follow the bottom in byte order and so are still under its 2^63, and the call at 2^64-1;
        // down(0): 4 under SPAN_DOWN, the division at 2^63
        List<Long> want = new ArrayList<>();
        want.add(Trap.NO_SPAN);
        want.addAll(Collections.nCopies(4, TrapPrograms.SPAN_DOWN));
        want.addAll(Collections.nCopies(2, TrapPrograms.SPAN_2_63));
        want.add(TrapPrograms.SPAN_MAX);
        want.addAll(Collections.nCopies(4, TrapPrograms.SPAN_DOWN));
        want.add(TrapPrograms.SPAN_2_63);
        assertEquals(want, spans);
    }

    /** Depths around 2 x STACK_EDGE: the whole stack up to 128 frames, its two ends beyond. */
    @Test
    void deepStacksKeepTheirEndsAndCountTheRest() throws Exception {
        Vm vm = vm();
        for (int n : new int[] {0, 1, 125, 126, 127, 128, 1_000, 100_000}) {
            int frames = n + 2;
            Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.i64(n)), depth(frames)));
            assertEquals(TrapKind.DIV_BY_ZERO, t.kind(), "n " + n);
            assertEquals(DEEP.keptStack(n), t.stack(), "n " + n);
            assertEquals(Math.max(0, frames - 2 * Trap.STACK_EDGE), t.elidedFrames(), "n " + n);
            assertEquals(frames, t.stack().size() + t.elidedFrames());
        }
    }

    @Test
    void aDepthLimitTrapKeepsTheEndsToo() throws Exception {
        Trap t = assertThrows(Trap.class, () -> vm().run(0, List.of(Value.i64(5_000)), depth(3_000)));
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, t.kind());
        assertEquals(DEEP.downCall(), t.pc());
        assertEquals(TrapPrograms.SPAN_MAX, t.span());
        assertEquals(2 * Trap.STACK_EDGE, t.stack().size());
        assertEquals(3_000 - 2 * Trap.STACK_EDGE, t.elidedFrames());
        assertEquals(new Trap.Frame(0, "main", DEEP.mainCall(), Trap.NO_SPAN), t.stack().get(2 * Trap.STACK_EDGE - 1));
    }

    @Test
    void theConstructorBoundsAWholeStack() {
        List<Trap.Frame> whole = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            whole.add(new Trap.Frame(i, null, i, i));
        }
        Trap t = new Trap(TrapKind.DIV_BY_ZERO, 0, 0, null, 0, 0, null, 0, null, whole, 7);
        assertEquals(2 * Trap.STACK_EDGE, t.stack().size());
        assertEquals(whole.subList(0, Trap.STACK_EDGE), t.stack().subList(0, Trap.STACK_EDGE));
        assertEquals(whole.subList(300 - Trap.STACK_EDGE, 300),
                t.stack().subList(Trap.STACK_EDGE, 2 * Trap.STACK_EDGE));
        assertEquals(300 - 2 * Trap.STACK_EDGE, t.elidedFrames());
        assertEquals("trap: div_by_zero at 0 pc 0 span none", t.getMessage());
        assertFalse(t.hasSpan());

        Trap withElided = new Trap(TrapKind.DIV_BY_ZERO, 0, 0, null, 0, 1, null, 0, null, whole, 10, 7);
        assertEquals(300 - 2 * Trap.STACK_EDGE + 10, withElided.elidedFrames());
        assertThrows(IllegalArgumentException.class,
                () -> new Trap(TrapKind.DIV_BY_ZERO, 0, 0, null, 0, 1, null, 0, null, whole, -1, 7));
        assertThrows(IllegalArgumentException.class,
                () -> new Trap(TrapKind.DIV_BY_ZERO, 0, 0, null, 0, 1, null, 0, null, whole.subList(0, 3), 5, 7));
    }

    /**
     * A trap serializes with its call stack (a Throwable is Serializable): the copy read back has
     * the same frames, names, spans and counts. (Before, its frames were not Serializable and any
     * trap with a call stack failed with NotSerializableException; JDK 21's javac warns of that.)
     */
    @Test
    void aTrapSerializesWithItsStack() throws Exception {
        Trap t = assertThrows(Trap.class, () -> vm().run(0, List.of(Value.i64(200)), depth(300)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        Trap back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (Trap) in.readObject();
        }
        assertEquals(DEEP.keptStack(200), back.stack());
        assertEquals(t.elidedFrames(), back.elidedFrames());
        assertEquals(List.of(t.kind(), t.func(), t.pc(), t.span(), t.fuelRemaining(), t.getMessage()),
                List.of(back.kind(), back.func(), back.pc(), back.span(), back.fuelRemaining(), back.getMessage()));
    }

    /**
     * The audit's shapes (issue 12, hole 2): a 100,000-deep trap in a function whose 100,000 span
     * entries sit in unreachable code before the pcs that trap (each frame used to scan them: 21 s),
     * among 10,001 named functions (each frame used to scan the names section too). The trap
     * is now built from the verifier's indexes and holds 128 frames with the right names and spans.
     */
    @Test
    void hostileSpanTablesAndNamesSections() throws Exception {
        int pad = 100_000;
        ProgramBuilder pb = new ProgramBuilder();
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        for (int i = 0; i < 10_000; i++) {
            pb.functionName(pb.addFunction(List.of(), List.of()).ret(0).funcId(), "dummy_" + i);
        }
        pb.functionName(down, "down");
        FunctionBuilder f = pb.function(down);
        FunctionBuilder.Label skip = f.newLabel();
        f.jmp(skip);
        for (int i = 0; i < pad; i++) {
            f.span(i + 1).nop();
        }
        f.trap(0).place(skip);
        FunctionBuilder.Label base = f.newLabel();
        FunctionBuilder.Label rec = f.newLabel();
        f.span(-1L).constI64(2, 0).i64Eq(3, 1, 2).br(3, base, rec);
        f.place(base).i64Div(4, 1, 2).ret(0, 4);
        f.place(rec).constI64(4, 1).i64Sub(5, 1, 4);
        int callPc = f.pc();
        f.call(0, down, 0, new int[] {5}, new int[] {6}).i64Add(6, 6, 4).ret(0, 6);
        Vm vm = new Vm(Verifier.verify(pb.build()), Host.NONE);
        int n = 100_000;
        Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.i64(n)), depth(n + 1)));
        assertEquals(TrapKind.DIV_BY_ZERO, t.kind());
        assertEquals("down", t.funcName());
        assertEquals(-1L, t.span());
        assertEquals(2 * Trap.STACK_EDGE, t.stack().size());
        assertEquals(n + 1 - 2 * Trap.STACK_EDGE, t.elidedFrames());
        assertEquals(new Trap.Frame(down, "down", callPc, -1L), t.stack().get(2 * Trap.STACK_EDGE - 1));
    }
}
