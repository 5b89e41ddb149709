package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.tape.program.ListContract.outcome;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Names#functions()} keeps the names as two int arrays, but behaves as the list it
 * replaced, {@code List.copyOf} of the records: an unmodifiable list whose every mutator throws
 * {@link UnsupportedOperationException} whatever its arguments (even when nothing would change),
 * which refuses null queries with {@link NullPointerException}, whose iterators and sublists are
 * unmodifiable too, and which serializes as such a list. Each operation's outcome (its result, or
 * its exception's class; an index out of bounds as such) is compared with the outcome on
 * {@code List.copyOf} of the same records, the JDK's, not this code's.
 */
class NamesListTest {
    private static Object roundTrip(Object o) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(b)) {
                out.writeObject(o);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
                return in.readObject().equals(o);
            }
        } catch (IOException | ClassNotFoundException e) {
            return e.getClass().getName();
        }
    }

    private static Map<String, Function<List<Names.FunctionName>, Object>> operations() {
        Map<String, Function<List<Names.FunctionName>, Object>> ops =
                ListContract.common(new Names.FunctionName(0, 0));
        ops.put("contains(first)", l -> l.contains(new Names.FunctionName(1, 2)));
        ops.put("contains(other)", l -> l.contains("x"));
        ops.put("indexOf(first)", l -> l.indexOf(new Names.FunctionName(1, 2)));
        ops.put("lastIndexOf(first)", l -> l.lastIndexOf(new Names.FunctionName(1, 2)));
        ops.put("add(0, x)", l -> {
            l.add(0, new Names.FunctionName(0, 0));
            return l.size();
        });
        ops.put("addAll(0, [])", l -> l.addAll(0, List.of()));
        ops.put("subList(0, size).addAll([])", l -> l.subList(0, l.size()).addAll(List.of()));
        ops.put("iterator.remove", l -> {
            Iterator<Names.FunctionName> it = l.iterator();
            it.remove();
            return l.size();
        });
        ops.put("listIterator(size + 1)", l -> l.listIterator(l.size() + 1));
        ops.put("serializes", NamesListTest::roundTrip);
        ops.put("stream", l -> l.stream().map(Names.FunctionName::nameSymbol).toList());
        return ops;
    }

    private static void behavesAsCopyOf(List<Names.FunctionName> records, List<Names.FunctionName> view) {
        for (Map.Entry<String, Function<List<Names.FunctionName>, Object>> op : operations().entrySet()) {
            assertEquals(outcome(op.getValue(), List.copyOf(records)), outcome(op.getValue(), view),
                    op.getKey() + " of " + records);
        }
    }

    @Test
    void decodedFunctionNamesBehaveAsAnUnmodifiableList() {
        for (int count = 0; count < 4; count++) {
            ProgramBuilder pb = new ProgramBuilder();
            pb.symbol("a");
            pb.symbol("b");
            List<Names.FunctionName> records = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                pb.addFunction(List.of(I64), List.of(I64)).ret(0, 1);
            }
            for (int i = 0; i < count; i++) {
                records.add(new Names.FunctionName(i == 0 ? 1 : i % 2, 1 + i % 2));
            }
            Program built = pb.build();
            Names names = new Names(-1, records, List.of());
            Program p = ProgramDecoder.decode(ProgramEncoder.encode(new Program(built.symbols(), built.constants(),
                    built.types(), built.functions(), built.hostSigs(), built.callSigs(), built.argShapes(), names)));
            // the encoder writes the entries by function id (a stable sort)
            List<Names.FunctionName> sorted = new ArrayList<>(records);
            sorted.sort(java.util.Comparator.comparingInt(Names.FunctionName::funcId));
            assertEquals(sorted, p.names().functions());
            behavesAsCopyOf(sorted, p.names().functions());
            behavesAsCopyOf(records, names.functions());
        }
        behavesAsCopyOf(List.of(), Names.NONE.functions());
    }
}
