package dev.tape.verify;

import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.internal.Lowered;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a verified program keeps besides its decoded {@link Program} (issue 14: under 5 times the
 * file size in all), bounded from its shape: 4 bytes a lowered code int, and per function its
 * {@code LoweredFunction} (40 bytes), its slot in the function array and in the image's entry,
 * register-count, call-entry, run-entry and signature-key arrays (4 bytes each) and its leaf length
 * (1 byte), plus each distinct tag list once and a 4-byte slot a {@code tuple.new}. Sizes are those of a 64-bit JVM with compressed
 * references (12-byte object header, 16-byte array header, 8-byte alignment), summed over every
 * object reachable from the verified program without passing through the decoded program's
 * objects (package {@code dev.tape.program}: functions, signatures, types) or the JDK's.
 */
class RetainedBoundTest {
    private static final int FUNCTIONS = 400;

    /** Functions that each build a tuple of two i64 in a loop (no closures, one tag-list shape). */
    private static Program program() {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < FUNCTIONS; i++) {
            FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
            Label loop = f.newLabel();
            Label done = f.newLabel();
            f.constI64(2, i).constI64(3, 1).i64Lt(5, 2, 1).br(5, loop, done);
            f.place(loop).tupleNew(6, 2, 3).tupleGet(7, 6, 0).i64Add(2, 7, 3).i64Lt(5, 2, 1).br(5, loop, done);
            f.place(done).ret(0, 2);
        }
        return pb.build();
    }

    @Test
    void aVerifiedProgramKeepsItsCodeAndAFewBytesAFunction() throws IllegalAccessException {
        Program program = program();
        VerifiedProgram vp = Verifier.verify(program);
        long codeInts = Lowered.image(vp).code().length;
        long kept = sizeOf(vp);
        // per function: LoweredFunction 40, its entries in the function array, the image entry,
        // register-count, call-entry and run-entry arrays and the signature keys 24, its leaf byte 1
        long bound = 4 * codeInts + 65L * FUNCTIONS
                // a slot a tuple.new in the image's tag-list array, and one tag list (16 + 2, aligned)
                + 4L * Lowered.image(vp).tags().length + 24
                // the headers and padding of about 16 arrays, the verified program, image and shared
                // small objects
                + 16 * 24 + 1024;
        assertTrue(kept <= bound, kept + " bytes kept, bound " + bound + " (" + codeInts + " code ints)");
        // the code alone is most of it: the bound is no loose one
        assertTrue(4 * codeInts + 65L * FUNCTIONS <= kept, kept + " bytes kept");
    }

    /**
     * @return the bytes of the objects reachable from {@code root} without passing through a JDK
     *     object or one of package {@code dev.tape.program} (the decoded program's), arrays included
     */
    private static long sizeOf(Object root) throws IllegalAccessException {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        long total = 0;
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (seen.put(o, Boolean.TRUE) != null) {
                continue;
            }
            Class<?> c = o.getClass();
            if (c.isArray()) {
                int n = Array.getLength(o);
                Class<?> t = c.getComponentType();
                total += align(16L + (long) n * (t.isPrimitive() ? width(t) : 4));
                if (!t.isPrimitive()) {
                    for (Object e : (Object[]) o) {
                        if (e != null) {
                            todo.push(e);
                        }
                    }
                }
                continue;
            }
            if (c.getName().startsWith("java.") || c.getPackageName().equals("dev.tape.program")) {
                // the JDK's and the decoded program's objects (its functions, signatures, types)
                continue;
            }
            long size = 12;
            for (Field f : fields(c)) {
                Class<?> t = f.getType();
                size += t.isPrimitive() ? width(t) : 4;
                if (!t.isPrimitive() && !f.getDeclaringClass().getName().startsWith("java.")) {
                    // a JDK superclass's fields (Enum's, Record has none) are counted, not entered
                    f.setAccessible(true);
                    Object v = f.get(o);
                    if (v != null) {
                        todo.push(v);
                    }
                }
            }
            total += align(size);
        }
        return total;
    }

    private static List<Field> fields(Class<?> c) {
        List<Field> all = new ArrayList<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    all.add(f);
                }
            }
        }
        return all;
    }

    private static int width(Class<?> t) {
        if (t == long.class || t == double.class) {
            return 8;
        }
        if (t == int.class || t == float.class) {
            return 4;
        }
        return t == char.class || t == short.class ? 2 : 1;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
