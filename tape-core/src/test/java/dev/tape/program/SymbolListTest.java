package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.function.Function;

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

    private static String outcome(Function<List<String>, Object> op, List<String> list) {
        try {
            return "= " + op.apply(list);
        } catch (IndexOutOfBoundsException e) {
            return "! index out of bounds";
        } catch (RuntimeException e) {
            return "! " + e.getClass().getName();
        }
    }

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
        Map<String, Function<List<String>, Object>> ops = new LinkedHashMap<>();
        ops.put("size", List::size);
        ops.put("toString", Object::toString);
        ops.put("hashCode", Object::hashCode);
        ops.put("equals(copy)", l -> l.equals(new ArrayList<>(l)));
        for (String q : new String[] {"", "a", "ab", "héllo", "hello", "日本語", "日本", "a\uD83D\uDE00b", "a\uD83Db",
            "a\uD83D", "?", "\uD83D", "bb"}) {
            ops.put("contains(" + q + ")", l -> l.contains(q));
            ops.put("indexOf(" + q + ")", l -> l.indexOf(q));
            ops.put("lastIndexOf(" + q + ")", l -> l.lastIndexOf(q));
        }
        ops.put("contains(null)", l -> l.contains(null));
        ops.put("contains(1)", l -> l.contains(1));
        ops.put("indexOf(null)", l -> l.indexOf(null));
        ops.put("lastIndexOf(null)", l -> l.lastIndexOf(null));
        ops.put("containsAll([null])", l -> l.containsAll(Arrays.asList((Object) null)));
        ops.put("get(0)", l -> l.get(0));
        ops.put("get(last)", l -> l.get(l.size() - 1));
        ops.put("get(-1)", l -> l.get(-1) != null);
        ops.put("get(size)", l -> l.get(l.size()) != null);
        ops.put("clear", l -> {
            l.clear();
            return l.size();
        });
        ops.put("removeIf(false)", l -> l.removeIf(x -> false));
        ops.put("sort", l -> {
            l.sort(null);
            return l.size();
        });
        ops.put("replaceAll", l -> {
            l.replaceAll(x -> x);
            return l.size();
        });
        ops.put("add", l -> l.add("x"));
        ops.put("addAll([])", l -> l.addAll(List.of()));
        ops.put("removeAll([])", l -> l.removeAll(List.of()));
        ops.put("retainAll(self)", l -> l.retainAll(new ArrayList<>(l)));
        ops.put("remove(null)", l -> l.remove(null));
        ops.put("remove(0)", l -> l.remove(0));
        ops.put("set(0, x)", l -> l.set(0, "x"));
        ops.put("subList(0, 0).clear", l -> {
            l.subList(0, 0).clear();
            return l.size();
        });
        ops.put("subList(0, size)", l -> l.subList(0, l.size()));
        ops.put("subList(2, size - 1)", l -> l.subList(2, l.size() - 1));
        ops.put("subList(2, size - 1).indexOf(日本語)", l -> l.subList(2, l.size() - 1).indexOf("日本語"));
        ops.put("subList(3, 3)", l -> l.subList(3, 3));
        ops.put("subList(1, 0)", l -> l.subList(1, 0));
        ops.put("subList(0, size + 1)", l -> l.subList(0, l.size() + 1));
        ops.put("iterator.next.remove", l -> {
            Iterator<String> it = l.iterator();
            it.next();
            it.remove();
            return l.size();
        });
        ops.put("listIterator.set", l -> {
            ListIterator<String> it = l.listIterator();
            it.next();
            it.set(null);
            return l.size();
        });
        ops.put("listIterator(size).previous", l -> l.listIterator(l.size()).previous());
        ops.put("iterator past the end", l -> {
            Iterator<String> it = l.iterator();
            for (int i = 0; i <= l.size(); i++) {
                it.next();
            }
            return l.size();
        });
        ops.put("toArray", l -> Arrays.toString(l.toArray()));
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
