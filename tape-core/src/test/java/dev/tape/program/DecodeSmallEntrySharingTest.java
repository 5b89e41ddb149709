package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The smallest entries of sections 10 and 11 are shared objects (docs/SECURITY.md, "What loading
 * guarantees": about 14 bytes of heap per byte of file at most). A section-11 entry of a tuple
 * shape of no element is 4 bytes of file; decoded to an {@code ArgShape}, a {@code Tuple}, an
 * unmodifiable view and an {@code ArrayList} each, it kept about 92 bytes of heap (23 per byte;
 * 23 for a tuple of one unknown element, 5 bytes), and a call signature of no types (2 bytes) 28
 * bytes, of one {@code i64} (3 bytes) 52 (17 per byte). Tuples of up to five elements and call
 * signatures of up to five arguments and five results, none of them {@code obj}, are now one
 * object per distinct value however many entries name it.
 */
class DecodeSmallEntrySharingTest {
    /** value types as hex: unknown (a tuple element only), bool, i64, str, agg */
    private static final String[] TUPLE_ELEMS = {"00", "01 01", "01 02", "01 07", "01 09"};
    private static final String[] TYPES = {"01", "02", "07", "09"};

    /** every tuple of {@code k} elements from {@link #TUPLE_ELEMS}, after {@code prefix}, as hex */
    private static void tuples(int k, String prefix, List<String> out) {
        if (k == 0) {
            out.add(prefix);
            return;
        }
        for (String e : TUPLE_ELEMS) {
            tuples(k - 1, prefix + " " + e, out);
        }
    }

    private static Program decodeShapes(List<String> entries) {
        StringBuilder payload = new StringBuilder(TapeBytes.uleb(entries.size()));
        for (String e : entries) {
            payload.append(' ').append(e);
        }
        return ProgramDecoder.decode(TapeBytes.minimal(TapeBytes.SYMBOLS, TapeBytes.CONSTS, TapeBytes.TYPES,
                TapeBytes.BLOBS, TapeBytes.SPANS, TapeBytes.funcs(8, 0, 9), TapeBytes.SIGS, TapeBytes.HOSTS,
                TapeBytes.section(11, payload.toString())));
    }

    @Test
    void equalSmallTupleShapesAreOneObject() {
        List<String> distinct = new ArrayList<>();
        for (int k = 0; k <= 5; k++) {
            List<String> ofK = new ArrayList<>();
            tuples(k, "00 00 01 0" + k, ofK);
            distinct.addAll(ofK);
        }
        // each distinct tuple three times, interleaved, and the same struct and array shapes
        List<String> entries = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            entries.addAll(distinct);
            entries.add("00 00 02 05");
            entries.add("00 00 03 06");
        }
        Program p = decodeShapes(entries);
        assertEquals(entries.size(), p.argShapes().size());
        Set<AggShape> objects = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<AggShape, AggShape> first = new java.util.HashMap<>();
        for (AggShape.ArgShape s : p.argShapes()) {
            if (s.shape() instanceof AggShape.Tuple t) {
                objects.add(t);
                assertSame(first.computeIfAbsent(t, x -> t), t, "an equal tuple shape is the same object: " + t);
            }
        }
        assertEquals(distinct.size(), objects.size(), "one tuple object per distinct tuple shape");
        // the values are as declared: the first round's k-th entry
        int at = 0;
        for (int k = 0; k <= 5; k++) {
            int count = (int) Math.pow(TUPLE_ELEMS.length, k);
            AggShape.Tuple t = (AggShape.Tuple) p.argShapes().get(at + count - 1).shape();
            // the last tuple of k elements is k agg elements
            assertEquals(Collections.nCopies(k, ValueType.AGG), t.elems());
            t = (AggShape.Tuple) p.argShapes().get(at).shape();
            assertEquals(Arrays.asList(new ValueType[k]), t.elems(), "the first is k unknown elements");
            at += count;
        }
        assertEquals(new AggShape.Struct(5), p.argShapes().get(at).shape());
        assertEquals(new AggShape.Array(6), p.argShapes().get(at + 1).shape());
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)), "re-encodes to an equal program");
    }

    /** every list of {@code k} types from {@link #TYPES}, each as its count and tags in hex */
    private static List<String> typeLists(int k) {
        List<String> out = new ArrayList<>();
        if (k == 0) {
            out.add("00");
            return out;
        }
        for (String rest : typeLists(k - 1)) {
            for (String t : TYPES) {
                out.add("0" + k + rest.substring(2) + " " + t);
            }
        }
        return out;
    }

    @Test
    void equalSmallCallSignaturesAreOneObject() {
        List<String> distinct = new ArrayList<>();
        for (int k = 0; k <= 2; k++) {
            for (int m = 0; m <= 2; m++) {
                for (String args : typeLists(k)) {
                    for (String rets : typeLists(m)) {
                        distinct.add(args + " " + rets);
                    }
                }
            }
        }
        distinct.add(typeLists(4).get(77) + " " + typeLists(4).get(200));
        distinct.add(typeLists(5).get(600) + " " + typeLists(5).get(1000));
        List<String> entries = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            entries.addAll(distinct);
        }
        StringBuilder payload = new StringBuilder(TapeBytes.uleb(entries.size()));
        for (String e : entries) {
            payload.append(' ').append(e);
        }
        Program p = ProgramDecoder.decode(TapeBytes.minimal(TapeBytes.SYMBOLS, TapeBytes.CONSTS, TapeBytes.TYPES,
                TapeBytes.BLOBS, TapeBytes.SPANS, TapeBytes.FUNCS, TapeBytes.SIGS, TapeBytes.HOSTS,
                TapeBytes.section(10, payload.toString())));
        assertEquals(entries.size(), p.callSigs().size());
        Set<CallSig> objects = Collections.newSetFromMap(new IdentityHashMap<>());
        objects.addAll(p.callSigs());
        assertEquals(distinct.size(), objects.size(), "one object per distinct call signature");
        for (int i = 0; i < distinct.size(); i++) {
            assertSame(p.callSigs().get(i), p.callSigs().get(i + 2 * distinct.size()));
        }
        assertEquals(new CallSig(List.of(), List.of()), p.callSigs().get(0));
        assertEquals(new CallSig(List.of(), List.of(ValueType.BOOL)), p.callSigs().get(1));
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)), "re-encodes to an equal program");
    }
}
