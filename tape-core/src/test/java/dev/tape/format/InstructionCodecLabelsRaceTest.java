package dev.tape.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * The operand labels of count errors, made on first use and published without a lock (cold start,
 * eleventh round), asked for by many threads at once in a fresh class loader (so no label exists
 * yet): every thread gets, from both decoders, the message and offset the eager build before
 * (commit 3d628c2, every label made at class initialisation) gave, kept here as data; nothing but
 * the {@link DecodeException} escapes.
 */
class InstructionCodecLabelsRaceTest {
    /**
     * Each register-list operand of each opcode with a count past the end (5, no bytes left) or too
     * large (2^31): the bytes, and the reason and offset the eager build gave.
     */
    private static final String[][] CASES = {
        {"5000000005", "call.args count 5 exceeds the 0 bytes left", "4"},
        {"500000000005", "call.rets count 5 exceeds the 0 bytes left", "5"},
        {"510005", "ret.rets count 5 exceeds the 0 bytes left", "2"},
        {"5200000005", "host_call.args count 5 exceeds the 0 bytes left", "4"},
        {"520000000005", "host_call.rets count 5 exceeds the 0 bytes left", "5"},
        {"540000000005", "call.indirect.args count 5 exceeds the 0 bytes left", "5"},
        {"54000000000005", "call.indirect.rets count 5 exceeds the 0 bytes left", "6"},
        {"600005", "tuple.new.values count 5 exceeds the 0 bytes left", "2"},
        {"62000005", "struct.new.values count 5 exceeds the 0 bytes left", "3"},
        {"64000005", "array.new.values count 5 exceeds the 0 bytes left", "3"},
        {"500000008080808008", "call.args count 2147483648 is too large", "4"},
        {"50000000008080808008", "call.rets count 2147483648 is too large", "5"},
        {"51008080808008", "ret.rets count 2147483648 is too large", "2"},
        {"520000008080808008", "host_call.args count 2147483648 is too large", "4"},
        {"52000000008080808008", "host_call.rets count 2147483648 is too large", "5"},
        {"54000000008080808008", "call.indirect.args count 2147483648 is too large", "5"},
        {"5400000000008080808008", "call.indirect.rets count 2147483648 is too large", "6"},
        {"60008080808008", "tuple.new.values count 2147483648 is too large", "2"},
        {"6200008080808008", "struct.new.values count 2147483648 is too large", "3"},
        {"6400008080808008", "array.new.values count 2147483648 is too large", "3"},
    };

    private static final int THREADS = 8;

    @Test
    void manyThreadsInFreshLoadersGetTheEagerBuildsMessages() throws Exception {
        URL classes = InstructionCodec.class.getProtectionDomain().getCodeSource().getLocation();
        for (int round = 0; round < 40; round++) {
            try (URLClassLoader fresh = new URLClassLoader(new URL[] {classes},
                    ClassLoader.getPlatformClassLoader())) {
                Class<?> codec = fresh.loadClass(InstructionCodec.class.getName());
                assertNotSame(InstructionCodec.class, codec);
                Method one = codec.getMethod("decode", byte[].class, int.class);
                Class<?> decoded = fresh.loadClass(DecodedCode.class.getName());
                Method all = decoded.getMethod("decode", byte[].class);
                CyclicBarrier start = new CyclicBarrier(THREADS);
                ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    List<String[]> order = new ArrayList<>(List.of(CASES));
                    Collections.shuffle(order, new Random(round * THREADS + t));
                    boolean decodedFirst = t % 2 == 0;
                    threads.add(new Thread(() -> {
                        try {
                            start.await();
                            for (String[] c : order) {
                                byte[] code = HexFormat.of().parseHex(c[0]);
                                String expected = c[1] + " at " + c[2];
                                Object target = decoded.getConstructor().newInstance();
                                String a = decodedFirst ? outcome(all, target, code) : outcome(one, null, code, 0);
                                String b = decodedFirst ? outcome(one, null, code, 0) : outcome(all, target, code);
                                if (!a.equals(expected) || !b.equals(expected)) {
                                    wrong.add(c[0] + ": " + a + " / " + b + ", expected " + expected);
                                }
                            }
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.start();
                }
                for (Thread t : threads) {
                    t.join();
                }
                assertEquals(List.of(), List.copyOf(wrong), "round " + round);
            }
        }
    }

    /** @return the reason and offset of the DecodeException the call threw, or what else happened */
    private static String outcome(Method m, Object target, Object... args) throws ReflectiveOperationException {
        try {
            return "no error: " + m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (!t.getClass().getName().equals(DecodeException.class.getName())) {
                return t.toString();
            }
            return t.getClass().getMethod("reason").invoke(t) + " at " + t.getClass().getMethod("offset").invoke(t);
        }
    }
}
