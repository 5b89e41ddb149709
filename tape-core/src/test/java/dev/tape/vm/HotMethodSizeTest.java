package dev.tape.vm;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interpreter's dispatch loops stay under HotSpot's huge-method limit: a method of more than
 * 8,000 bytes of bytecode is never JIT-compiled (`-XX:+DontCompileHugeMethods`, the default), so
 * {@code Interpreter.execute} or a run loop growing past it would run interpreted by the JVM, many
 * times slower, with every test still green (docs/PERFORMANCE.md, "What makes the interpreter
 * fast", point 3). Sizes are read from the compiled class files' {@code Code} attributes.
 */
class HotMethodSizeTest {
    /** HotSpot's {@code HugeMethodLimit}: bytes of bytecode above which a method is not compiled. */
    private static final int HUGE = 8_000;

    /** The dispatch loops: each class's {@code execute} or {@code run}. */
    private static final Map<Class<?>, String> LOOPS = Map.of(Interpreter.class, "execute", FloatRun.class, "run",
            DecimalRun.class, "run", TupleRun.class, "run", ArrayRun.class, "run", HostRun.class, "run",
            WordRun.class, "run", CallLoop.class, "run", LeafLoop.class, "run", ClosureLoop.class, "run");

    @Test
    void everyDispatchLoopIsSmallEnoughForTheJit() throws IOException {
        for (Map.Entry<Class<?>, String> e : LOOPS.entrySet()) {
            Map<String, Integer> sizes = codeLengths(e.getKey());
            Integer size = sizes.get(e.getValue());
            assertNotNull(size, e.getKey() + " has no method " + e.getValue() + ": " + sizes.keySet());
            assertTrue(size > 0 && size <= HUGE, e.getKey().getSimpleName() + "." + e.getValue() + " is " + size
                    + " bytes of bytecode; HotSpot compiles no method over " + HUGE);
        }
    }

    /** The largest code length of each method name of {@code c} (overloads: the largest). */
    static Map<String, Integer> codeLengths(Class<?> c) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            assertNotNull(in, c.getName());
            DataInputStream d = new DataInputStream(in);
            d.readInt(); // magic
            d.readUnsignedShort(); // minor
            d.readUnsignedShort(); // major
            int count = d.readUnsignedShort();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = d.readUTF();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipNBytes(4);
                    case 5, 6 -> {
                        d.skipNBytes(8);
                        i++; // a long or double takes two entries
                    }
                    case 7, 8, 16, 19, 20 -> d.skipNBytes(2);
                    case 15 -> d.skipNBytes(3);
                    default -> throw new IOException("constant pool tag " + tag + " in " + c);
                }
            }
            d.skipNBytes(6); // access, this, super
            d.skipNBytes(2L * d.readUnsignedShort()); // interfaces
            int fields = d.readUnsignedShort();
            for (int i = 0; i < fields; i++) {
                d.skipNBytes(6);
                skipAttributes(d);
            }
            int methods = d.readUnsignedShort();
            for (int i = 0; i < methods; i++) {
                d.skipNBytes(2);
                String name = utf8[d.readUnsignedShort()];
                d.skipNBytes(2);
                int attributes = d.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attr = utf8[d.readUnsignedShort()];
                    int len = d.readInt();
                    if (attr.equals("Code")) {
                        d.skipNBytes(4); // max stack, max locals
                        int code = d.readInt();
                        out.merge(name, code, Math::max);
                        d.skipNBytes(len - 8L);
                    } else {
                        d.skipNBytes(len);
                    }
                }
            }
        }
        return out;
    }

    private static void skipAttributes(DataInputStream d) throws IOException {
        int attributes = d.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            d.skipNBytes(2);
            d.skipNBytes(d.readInt());
        }
    }
}
