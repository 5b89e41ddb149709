package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@link FunctionSig}'s written-out {@code equals} and {@code hashCode} keep the record's meaning. */
class FunctionSigTest {
    /** A record of the same components: its generated methods are the reference. */
    private record Generated(List<ValueType> args, List<Integer> argNames, List<ValueType> rets,
                             List<Integer> retNames) {}

    private static List<FunctionSig> samples() {
        List<List<ValueType>> types = List.of(List.of(), List.of(I64), List.of(BOOL), List.of(I64, BOOL),
                List.of(ValueType.obj(7), ValueType.obj(-1)));
        List<FunctionSig> out = new ArrayList<>();
        for (List<ValueType> a : types) {
            for (List<ValueType> r : types) {
                out.add(new FunctionSig(a, null, r, null));
                List<Integer> an = a.isEmpty() ? null : new ArrayList<>(java.util.Collections.nCopies(a.size(), 3));
                List<Integer> rn = r.isEmpty() ? null : new ArrayList<>(java.util.Collections.nCopies(r.size(), 0));
                out.add(new FunctionSig(a, an, r, null));
                out.add(new FunctionSig(a, null, r, rn));
                out.add(new FunctionSig(a, an, r, rn));
            }
        }
        return out;
    }

    @Test
    void hashCodeIsTheRecordsFormula() {
        for (FunctionSig s : samples()) {
            assertEquals(new Generated(s.args(), s.argNames(), s.rets(), s.retNames()).hashCode(), s.hashCode(),
                    s.toString());
        }
    }

    @Test
    void equalityIsComponentByComponent() {
        List<FunctionSig> all = samples();
        for (FunctionSig a : all) {
            for (FunctionSig b : all) {
                Generated ga = new Generated(a.args(), a.argNames(), a.rets(), a.retNames());
                Generated gb = new Generated(b.args(), b.argNames(), b.rets(), b.retNames());
                assertEquals(ga.equals(gb), a.equals(b), a + " vs " + b);
                assertEquals(a.equals(b), b.equals(a));
            }
            assertEquals(a, new FunctionSig(a.args(), a.argNames(), a.rets(), a.retNames()));
            assertNotEquals(a, null);
            assertNotEquals(a, new Generated(a.args(), a.argNames(), a.rets(), a.retNames()));
        }
        // an empty names list is no names list (the constructor's rule), so these are equal
        assertEquals(FunctionSig.of(List.of(), List.of()), new FunctionSig(List.of(), List.of(), List.of(), List.of()));
    }
}
