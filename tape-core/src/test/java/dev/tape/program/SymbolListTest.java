package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.tape.program.ListContract.outcome;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * A decoded program's {@link Program#symbols()} keeps the symbols' UTF-8 bytes in one array, but
 * behaves as the list it replaced, {@code List.copyOf} of the decoded strings: each operation's
 * outcome (its result, or its exception's class; an index out of bounds as such) is compared with
 * the outcome on {@code List.copyOf} of the same strings, the JDK's, not this code's. The symbols
 * include non-ASCII ones, and the queries a string with an unpaired surrogate (no decoded symbol
 * can equal it) and strings that differ from a symbol in one char.
 */
class SymbolListTest {
    private static final List<String> SYMBOLS = List.of("", "a", "bb", "héllo", "日本語", "a\uD83D\uDE00b", "?", "ab");

    private static Object roundTrip(Object o) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(b)) {
                out.writeObject(o);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
                Object back = in.readObject();
                return back.equals(o) + " " + back.getClass().getName();
            }
        } catch (IOException | ClassNotFoundException e) {
            return e.getClass().getName();
        }
    }

    private static Map<String, Function<List<String>, Object>> operations() {
        Map<String, Function<List<String>, Object>> ops = ListContract.common("x");
        for (String q : new String[] {"", "a", "ab", "héllo", "hello", "日本語", "日本", "a\uD83D\uDE00b", "a\uD83Db",
            "a\uD83D", "?", "\uD83D", "bb"}) {
            ops.put("contains(" + q + ")", l -> l.contains(q));
            ops.put("indexOf(" + q + ")", l -> l.indexOf(q));
            ops.put("lastIndexOf(" + q + ")", l -> l.lastIndexOf(q));
        }
        ops.put("contains(1)", l -> l.contains(1));
        ops.put("get(last)", l -> l.get(l.size() - 1));
        ops.put("subList(2, size - 1)", l -> l.subList(2, l.size() - 1));
        ops.put("subList(2, size - 1).indexOf(日本語)", l -> l.subList(2, l.size() - 1).indexOf("日本語"));
        ops.put("subList(3, 3)", l -> l.subList(3, 3));
        ops.put("serializes", SymbolListTest::roundTrip);
        ops.put("stream", l -> l.stream().map(String::length).toList());
        return ops;
    }

    @Test
    void decodedSymbolsBehaveAsAnUnmodifiableListOfTheStrings() {
        ProgramBuilder pb = new ProgramBuilder();
        for (String s : SYMBOLS.subList(1, SYMBOLS.size())) {
            pb.symbol(s);
        }
        pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
        Program p = ProgramDecoder.decode(ProgramEncoder.encode(pb.build()));
        assertEquals(SYMBOLS, p.symbols());
        assertEquals(SymbolList.class, p.symbols().getClass(), "the decoder's list is kept as it is");
        assertNotSame(p.symbols().get(3), p.symbols().get(3), "strings are made on access");
        for (Map.Entry<String, Function<List<String>, Object>> op : operations().entrySet()) {
            assertEquals(outcome(op.getValue(), List.copyOf(SYMBOLS)), outcome(op.getValue(), p.symbols()),
                    op.getKey());
        }
        // the encoder writes the strings a decoded program makes: the same bytes again
        assertEquals(Arrays.toString(ProgramEncoder.encode(p)), Arrays.toString(ProgramEncoder.encode(
                ProgramDecoder.decode(ProgramEncoder.encode(p)))));
    }

    @Test
    void aProgramOfOnlyTheEmptySymbol() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
        Program p = ProgramDecoder.decode(ProgramEncoder.encode(pb.build()));
        assertEquals(List.of(""), p.symbols());
        for (Map.Entry<String, Function<List<String>, Object>> op : operations().entrySet()) {
            assertEquals(outcome(op.getValue(), List.of("")), outcome(op.getValue(), p.symbols()), op.getKey());
        }
    }
}
