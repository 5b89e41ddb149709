package dev.tape.value;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@link Value.Str#append} from many threads at once: threads append random suffixes
 * to strings other threads published a moment ago (so several race for the room of one buffer,
 * and the losers copy), while a reader re-reads strings made earlier. Afterwards every string
 * still holds exactly what its model says (a loser never wrote into a winner's room, and no append
 * changed a byte any string covered), no two strings over one buffer have the same length, and every buffer is at most twice its shortest
 * string plus the slack.
 */
class StrAppendRaceTest {
    private record Made(Value.Str str, String model) {}

    private static final int THREADS = 4;
    private static final int SLOTS = 8;
    private static final int STEPS = 3000;

    @Test
    void racingAppendsToSharedStringsKeepEveryStringAndEveryInvariant() throws Exception {
        AtomicReferenceArray<Made> slots = new AtomicReferenceArray<>(SLOTS);
        List<Made> seeds = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            // strings made by appends, with room: the kind a run returns and shares
            Value.Str s = Value.Str.append(Value.Str.append(Value.str("s" + i), Value.str("-"), 0),
                    Value.str("é"), Long.MAX_VALUE);
            Made m = new Made(s, "s" + i + "-é");
            slots.set(i, m);
            seeds.add(m);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS + 1);
            List<Future<List<Made>>> writers = new ArrayList<>();
            for (int th = 0; th < THREADS; th++) {
                int id = th;
                writers.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(id * 7919L + 1);
                    List<Made> mine = new ArrayList<>();
                    start.await();
                    for (int k = 0; k < STEPS; k++) {
                        int from = rnd.nextInt(SLOTS);
                        Made base = slots.get(from);
                        if (base.model.length() > 4000) {
                            base = seeds.get(from);
                        }
                        String tail = id + "." + k + (rnd.nextInt(5) == 0 ? "ü" : "");
                        int pick = rnd.nextInt(16);
                        // sometimes the string itself (s ++ s), sometimes an empty string
                        Value.Str t = pick < 2 ? base.str : pick < 3 ? Value.str("") : Value.str(tail);
                        String tm = pick < 2 ? base.model : pick < 3 ? "" : tail;
                        Made next = new Made(Value.Str.append(base.str, t, rnd.nextInt(4) == 0 ? 3 : Long.MAX_VALUE),
                                base.model + tm);
                        mine.add(next);
                        slots.set(rnd.nextInt(SLOTS), next);
                    }
                    return mine;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                int wrong = 0;
                start.await();
                for (int k = 0; k < STEPS; k++) {
                    Made m = slots.get(k % SLOTS);
                    if (!m.str.value().equals(m.model)) {
                        wrong++;
                    }
                }
                return wrong;
            });
            List<Made> all = new ArrayList<>(seeds);
            for (Future<List<Made>> f : writers) {
                all.addAll(f.get());
            }
            assertEquals(0, reader.get(), "strings read wrong while others appended");
            Map<byte[], TreeSet<Integer>> lengths = new IdentityHashMap<>();
            Map<byte[], Integer> shortest = new IdentityHashMap<>();
            for (Made m : all) {
                byte[] want = m.model.getBytes(StandardCharsets.UTF_8);
                assertEquals(m.model, m.str.value());
                assertTrue(Arrays.equals(want, m.str.toUtf8()), m.model);
                assertEquals(Arrays.hashCode(want), m.str.hashCode());
                assertTrue(lengths.computeIfAbsent(m.str.utf8, b -> new TreeSet<>()).add(m.str.len),
                        "two strings over one buffer with the same length " + m.str.len);
                shortest.merge(m.str.utf8, m.str.len, Math::min);
            }
            for (Map.Entry<byte[], Integer> e : shortest.entrySet()) {
                assertTrue(e.getKey().length <= 2 * e.getValue(),
                        "a buffer of " + e.getKey().length + " for a shortest string of " + e.getValue());
            }
            assertTrue(lengths.size() < all.size(), "some appends were in place");
        } finally {
            pool.shutdownNow();
        }
    }
}
