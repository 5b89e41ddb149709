package dev.tape.program;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.function.Function;

/**
 * Test support for {@link NamesListTest} and {@link SymbolListTest}: lists of a program's model
 * that keep their elements packed but must behave as {@code List.copyOf} of them, the JDK's
 * unmodifiable list. An operation's outcome is its result, or its exception's class (an index out
 * of bounds as such, whichever subclass); each test compares the outcomes on {@code List.copyOf}
 * and on the list under test.
 */
final class ListContract {
    private ListContract() {}

    /**
     * @param op the operation
     * @param list the list to run it on
     * @return {@code "= "} and the result, or {@code "! "} and the exception's class
     */
    static <E> String outcome(Function<List<E>, Object> op, List<E> list) {
        try {
            return "= " + op.apply(list);
        } catch (IndexOutOfBoundsException e) {
            // the JDK's lists throw it or its subclass ArrayIndexOutOfBoundsException by size
            return "! index out of bounds";
        } catch (RuntimeException e) {
            return "! " + e.getClass().getName();
        }
    }

    /**
     * The operations both lists are held to, by name, in order (each test adds its own queries,
     * its {@code serializes} and its {@code stream}): the size, equality and printing, null
     * queries, reads in and out of bounds, every mutator (which must throw whatever its
     * arguments), sublists, iterators and the array.
     *
     * @param x an element of the list's type, for the mutators that take one
     * @return the operations, in insertion order
     */
    static <E> Map<String, Function<List<E>, Object>> common(E x) {
        Map<String, Function<List<E>, Object>> ops = new LinkedHashMap<>();
        ops.put("size", List::size);
        ops.put("toString", Object::toString);
        ops.put("hashCode", Object::hashCode);
        ops.put("equals(copy)", l -> l.equals(new ArrayList<>(l)));
        ops.put("contains(null)", l -> l.contains(null));
        ops.put("indexOf(null)", l -> l.indexOf(null));
        ops.put("lastIndexOf(null)", l -> l.lastIndexOf(null));
        ops.put("containsAll([null])", l -> l.containsAll(Arrays.asList((Object) null)));
        ops.put("get(0)", l -> l.get(0));
        ops.put("get(-1)", l -> l.get(-1) != null);
        ops.put("get(size)", l -> l.get(l.size()) != null);
        ops.put("clear", l -> {
            l.clear();
            return l.size();
        });
        ops.put("removeIf(false)", l -> l.removeIf(e -> false));
        ops.put("sort", l -> {
            l.sort(null);
            return l.size();
        });
        ops.put("replaceAll", l -> {
            l.replaceAll(e -> e);
            return l.size();
        });
        ops.put("add", l -> l.add(x));
        ops.put("addAll([])", l -> l.addAll(List.of()));
        ops.put("removeAll([])", l -> l.removeAll(List.of()));
        ops.put("retainAll(self)", l -> l.retainAll(new ArrayList<>(l)));
        ops.put("remove(null)", l -> l.remove(null));
        ops.put("remove(0)", l -> l.remove(0));
        ops.put("set(0, x)", l -> l.set(0, x));
        ops.put("subList(0, 0).clear", l -> {
            l.subList(0, 0).clear();
            return l.size();
        });
        ops.put("subList(0, size)", l -> l.subList(0, l.size()));
        ops.put("subList(1, 0)", l -> l.subList(1, 0));
        ops.put("subList(0, size + 1)", l -> l.subList(0, l.size() + 1));
        ops.put("iterator.next.remove", l -> {
            Iterator<E> it = l.iterator();
            it.next();
            it.remove();
            return l.size();
        });
        ops.put("listIterator.set", l -> {
            ListIterator<E> it = l.listIterator();
            it.next();
            it.set(null);
            return l.size();
        });
        ops.put("listIterator(size).previous", l -> l.listIterator(l.size()).previous());
        ops.put("iterator past the end", l -> {
            Iterator<E> it = l.iterator();
            for (int i = 0; i <= l.size(); i++) {
                it.next();
            }
            return l.size();
        });
        ops.put("toArray", l -> Arrays.toString(l.toArray()));
        return ops;
    }
}
