package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What a decoded program keeps small (issue 14, retained heap): functions with equal signatures
 * share one {@link FunctionSig} (through a small cache by hash, so a signature evicted from it by
 * another is decoded again, equal but not shared), and function names are two int arrays behind
 * {@link Names#functions()}, equal to the records they stand for.
 */
class DecodedSharingTest {
    private static Program roundTrip(Program p) {
        return ProgramDecoder.decode(ProgramEncoder.encode(p));
    }

    @Test
    void equalSignaturesShareOneObjectAndDifferentOnesStayApart() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
        pb.addFunction(List.of(BOOL), List.of(BOOL)).ret(0, 1);
        pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
        pb.addFunction(List.of(I64, I64), List.of(I64)).ret(0, 2);
        pb.addFunction(List.of(BOOL), List.of(BOOL)).ret(0, 1);
        int named = pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1).funcId();
        pb.argName(named, 0, "x");
        Program built = pb.build();
        Program p = roundTrip(built);
        assertEquals(built.functions(), p.functions());
        List<Function> fs = p.functions();
        assertSame(fs.get(0).sig(), fs.get(2).sig());
        assertSame(fs.get(1).sig(), fs.get(4).sig());
        assertNotSame(fs.get(0).sig(), fs.get(1).sig());
        assertNotSame(fs.get(0).sig(), fs.get(3).sig());
        // same types, but argument names make it another signature
        assertNotSame(fs.get(0).sig(), fs.get(5).sig());
        assertEquals(List.of(pb.symbol("x")), fs.get(5).sig().argNames());
        assertEquals(null, fs.get(0).sig().argNames());
    }

    /**
     * Many distinct signatures (host object types 0 to 499, so more than the cache holds)
     * interleaved with repeats of a few: every function still gets a signature equal to its own,
     * whether it was shared or evicted.
     */
    @Test
    void manyDistinctSignaturesDecodeEachToItsOwn() {
        Random r = new Random(14);
        ProgramBuilder pb = new ProgramBuilder();
        List<List<ValueType>> args = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            List<ValueType> a = switch (r.nextInt(3)) {
                case 0 -> List.of(ValueType.obj(r.nextInt(500)));
                case 1 -> List.of(ValueType.obj(r.nextInt(500)), F64);
                default -> List.of(I64);
            };
            args.add(a);
            pb.addFunction(a, List.of()).ret(0);
        }
        Program built = pb.build();
        Program p = roundTrip(built);
        assertEquals(built.functions(), p.functions());
        int shared = 0;
        for (int i = 0; i < args.size(); i++) {
            assertEquals(args.get(i), p.functions().get(i).sig().args());
            if (i > 0 && p.functions().get(i).sig() == p.functions().get(i - 1).sig()) {
                shared++;
            }
        }
        assertEquals(true, shared > 0, "consecutive equal signatures are shared");
    }

    @Test
    void decodedFunctionNamesEqualTheRecordsTheyStandFor() {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < 5; i++) {
            pb.addFunction(List.of(), List.of()).ret(0);
        }
        pb.functionName(3, "three");
        pb.functionName(0, "zero");
        pb.functionName(4, "four");
        Program built = pb.build();
        Program p = roundTrip(built);
        Names names = p.names();
        assertEquals(built.names(), names);
        assertEquals(names, built.names());
        assertEquals(built.names().hashCode(), names.hashCode());
        List<Names.FunctionName> expected = new ArrayList<>(built.names().functions());
        assertEquals(expected, names.functions());
        assertEquals(3, names.functions().size());
        assertEquals("three", p.functionName(3));
        assertEquals("zero", p.functionName(0));
        assertEquals(null, p.functionName(1));
        assertEquals(new Names(names.programName(), names.functions(), names.labels()), names);
        assertThrows(UnsupportedOperationException.class,
                () -> names.functions().add(new Names.FunctionName(1, 1)));
        assertThrows(UnsupportedOperationException.class,
                () -> names.functions().set(0, new Names.FunctionName(1, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> names.functions().get(3));
    }
}
