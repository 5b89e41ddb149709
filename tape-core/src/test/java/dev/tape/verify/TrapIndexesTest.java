package dev.tape.verify;

import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.TypeTable;
import dev.tape.verify.internal.Lowered;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The lookups traps and traces use, indexed once at verification: a function's name by id, the span
 * in force at a pc. Each must answer exactly what a scan of the names section or the span table
 * answers, and its building is charged to the analysis budget.
 */
class TrapIndexesTest {
    /** {@code n} nops then {@code ret r0, []}. */
    static byte[] nops(int n) {
        byte[] code = new byte[n + 3];
        code[n] = 0x51;
        return code;
    }

    static Function fn(byte[] code, List<SpanEntry> spans) {
        return new Function(0, 0, 1, code, spans, FunctionSig.of(List.of(), List.of()));
    }

    static Program program(List<Function> fns, List<String> symbols, Names names) {
        return new Program(symbols, List.of(), new TypeTable(List.of(), List.of(), List.of()), fns, List.of(),
                List.of(), List.of(), names);
    }

    /** The span table's meaning, scanned (spec section "Span table encoding (compact)"). */
    static long scan(List<SpanEntry> spans, int pc) {
        long at = 0;
        long span = 0;
        for (SpanEntry e : spans) {
            at += e.pcDelta();
            if (at > pc) {
                break;
            }
            span = e.spanId();
        }
        return span;
    }

    @Test
    void spanLookupsMatchAScanOfTheTable() throws Exception {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            int len = 1 + r.nextInt(300);
            byte[] code = nops(len);
            List<SpanEntry> spans = new ArrayList<>();
            long at = 0;
            int entries = r.nextInt(40);
            for (int i = 0; i < entries && at < code.length; i++) {
                long delta = i == 0 ? r.nextInt(3) : 1 + r.nextInt(Math.max(1, (int) (code.length - at)));
                if (at + delta > code.length) {
                    break;
                }
                at += delta;
                // ids over the whole unsigned range, 2^63 and 2^64-1 among them
                long id = switch (r.nextInt(4)) {
                    case 0 -> Long.MIN_VALUE;
                    case 1 -> -1L;
                    case 2 -> 1 + r.nextInt(100);
                    default -> r.nextLong() | 1;
                };
                spans.add(new SpanEntry(delta, id));
            }
            VerifiedProgram vp = Verifier.verify(program(List.of(fn(code, spans)), List.of(""), Names.NONE));
            for (int pc = 0; pc <= code.length + 1; pc++) {
                assertEquals(scan(spans, pc), vp.spanAt(0, pc), "round " + round + " pc " + pc + " " + spans);
            }
        }
    }

    @Test
    void rowsSharingASpanTableShareItsIndex() throws Exception {
        List<SpanEntry> shared = List.of(new SpanEntry(0, 9), new SpanEntry(2, -1L));
        byte[] code = nops(4);
        VerifiedProgram vp = Verifier.verify(program(List.of(fn(code, shared), fn(code, shared),
                fn(code, List.of(new SpanEntry(0, 9), new SpanEntry(2, -1L)))), List.of(""), Names.NONE));
        assertSame(Lowered.function(vp, 0).spans(), Lowered.function(vp, 1).spans());
        assertEquals(-1L, vp.spanAt(2, 3));
        assertEquals(9, vp.spanAt(2, 1));
    }

    @Test
    void spanIdZeroCannotBeRepresented() {
        assertThrows(IllegalArgumentException.class, () -> new SpanEntry(0, 0));
        assertEquals(Long.MIN_VALUE, new SpanEntry(0, Long.MIN_VALUE).spanId());
    }

    @Test
    void namesByIdMatchAScanOfTheSection() throws Exception {
        List<String> symbols = List.of("", "a", "b", "c");
        List<Names.FunctionName> entries = List.of(
                new Names.FunctionName(1, 2),
                new Names.FunctionName(1, 3), // a second name for 1: the first wins
                new Names.FunctionName(7, 1), // no function 7
                new Names.FunctionName(-1, 1),
                new Names.FunctionName(2, 99), // no symbol 99: names nothing, the next entry does
                new Names.FunctionName(2, 1),
                new Names.FunctionName(3, 0)); // symbol 0, the empty string
        List<Function> fns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fns.add(fn(nops(0), List.of()));
        }
        Program p = program(fns, symbols, new Names(-1, entries, List.of()));
        VerifiedProgram vp = Verifier.verify(p);
        for (int id = 0; id < 5; id++) {
            assertEquals(p.functionName(id), vp.functionName(id), "function " + id);
        }
        // ids out of range have no name, whatever entries name them
        for (int id : new int[] {Integer.MIN_VALUE, -1, 5, 7, Integer.MAX_VALUE}) {
            assertNull(vp.functionName(id), "function " + id);
        }
        assertEquals(Arrays.asList(null, "b", "a", "", null),
                Arrays.asList(vp.functionName(0), vp.functionName(1), vp.functionName(2), vp.functionName(3),
                        vp.functionName(4)));
    }

    /** @return the smallest analysis budget with which {@code p} verifies */
    static long cost(Program p) {
        long lo = 1;
        long hi = 1 << 20;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            try {
                new Verifier(Verifier.DEFAULT_MAX_REGS, mid).check(p);
                hi = mid;
            } catch (VerifyException e) {
                assertEquals("AnalysisBudgetExceeded", e.kind());
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Test
    void eachNamesEntryCostsOneUnitOfTheBudget() {
        List<Function> fns = List.of(fn(nops(2), List.of()));
        List<String> symbols = List.of("", "f");
        List<Names.FunctionName> entries = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            entries.add(new Names.FunctionName(i % 3 == 0 ? 0 : 1_000_000, 1));
        }
        long bare = cost(program(fns, symbols, Names.NONE));
        assertEquals(bare + 1_000, cost(program(fns, symbols, new Names(-1, entries, List.of()))));
    }
}
