package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random walk over the wire through a recursion 1,100 calls deep, in batches of one to four
 * requests sent at once: moves of every kind ({@code next}, {@code stepIn}, {@code stepOut},
 * {@code continue} to a breakpoint in the recursion or to the trap that ends the program,
 * {@code stepBack} (from the trap too),
 * {@code reverseContinue}), {@code pause} while paused, {@code setBreakpoints}, {@code stackTrace}
 * pages from any {@code startFrame} (past the stack too) with any {@code levels}, {@code scopes} with
 * ids of this stop, of earlier stops and guessed ones, and {@code variables} with references of this
 * stop and earlier ones. Checked against a model that knows only which stop gave which id: an id
 * given in an earlier stop (a move came since) and a reference given before a move are always
 * refused; an id of this stop is accepted (unless the program has ended) and shows a frame of the
 * function {@code stackTrace} named; one stop gives each level one id; no id is given in two stops.
 */
@Timeout(300)
class DapFrameIdWalkTest {
    private static final String[] MOVES = {"next", "stepIn", "stepOut", "continue", "stepBack", "reverseContinue"};

    /** A frame id as given: the stop (moves before it) and the frame's level and name. */
    record Given(int stop, int level, String function) {}

    /** The recursion: main calls down(n), which calls itself until n is 0; main traps when it returns. */
    private static final String DEEP = String.join("\n",
            "program deep",
            "func main(n: i64) -> (r: i64) {",
            "    const.i64 r2, 0",
            "    const.i64 r3, 0",
            "    const.i64 r4, 0",
            "    call r0, down, r0, [r1] -> [r1]",
            "    trap 7",
            "}",
            "func down(n: i64) -> (r: i64) {",
            "    const.i64 r2, 0",
            "    i64.eq r3, r1, r2",
            "    br r3, bottom, more",
            "bottom:",
            "    ret r0, [r1]",
            "more:",
            "    const.i64 r2, 1",
            "    i64.sub r1, r1, r2",
            "    call r0, down, r0, [r1] -> [r1]",
            "    ret r0, [r1]",
            "}",
            "");

    @Test
    void idsOfEarlierStopsAreNeverAcceptedInARandomWalk(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("deep.tasm");
        Files.writeString(deep, DEEP);
        String path = deep.toString().replace("\\", "\\\\");
        Random rnd = new Random(1313);
        Model model = new Model();
        int stop = 0;
        int staleRefused = 0;
        int ends = 0;
        try (DapClient c = new DapClient()) {
            Responses r = new Responses(c);
            r.ok(c.send("initialize", "{\"adapterID\":\"tape\"}"));
            r.ok(c.send("launch", "{\"program\":\"" + path + "\",\"args\":[\"i64:1100\"],\"max-call-depth\":1200,"
                    + "\"stopOnEntry\":true}"));
            r.ok(c.send("setBreakpoints", "{\"source\":{\"path\":\"" + path + "\"},\"breakpoints\":[{\"line\":14}]}"));
            r.ok(c.send("configurationDone", null));
            stop++;
            for (int round = 0; round < 200; round++) {
                int n = 1 + rnd.nextInt(4);
                List<Runnable> checks = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    int pick = rnd.nextInt(20);
                    int thisStop = stop;
                    if (pick < 4) {
                        String move = MOVES[rnd.nextInt(MOVES.length)];
                        // a continue runs to the breakpoint at the bottom, or to the trap at the end
                        int seq = c.send(move, "{\"threadId\":1}");
                        stop++;
                        checks.add(() -> r.get(seq));
                    } else if (pick == 4) {
                        int seq = c.send("pause", "{\"threadId\":1}");
                        checks.add(() -> r.get(seq));
                    } else if (pick == 5) {
                        String lines = rnd.nextBoolean() ? "[{\"line\":14}]" : "[{\"line\":14},{\"line\":17}]";
                        int seq = c.send("setBreakpoints", "{\"source\":{\"path\":\"" + path + "\"},\"breakpoints\":"
                                + lines + "}");
                        checks.add(() -> r.get(seq));
                    } else if (pick < 11) {
                        int start = rnd.nextInt(4) == 0 ? 900 + rnd.nextInt(210) : rnd.nextInt(5);
                        int levels = rnd.nextInt(6) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextInt(4) > 0 ? 5 : 1200);
                        if (start > 900) {
                            model.deepPages++;
                        }
                        int seq = c.send("stackTrace", "{\"threadId\":1,\"startFrame\":" + start + ",\"levels\":" + levels
                                + "}");
                        checks.add(() -> model.stackTrace(r.get(seq), start, thisStop));
                    } else if (pick < 17) {
                        int id = chooseId(rnd, model.given, stop);
                        Given g = model.given.get(id);
                        int seq = c.send("scopes", "{\"frameId\":" + id + "}");
                        checks.add(() -> model.scopes(r.get(seq), id, g, thisStop));
                    } else {
                        List<Integer> refs = new ArrayList<>(model.refStop.keySet());
                        if (refs.isEmpty()) {
                            continue;
                        }
                        int ref = refs.get(rnd.nextInt(refs.size()));
                        int refGiven = model.refStop.get(ref);
                        int seq = c.send("variables", "{\"variablesReference\":" + ref + ",\"count\":3}");
                        checks.add(() -> Model.variables(r.get(seq), ref, refGiven, thisStop));
                    }
                }
                for (Runnable check : checks) {
                    check.run();
                }
                // counted after the batch: the checks have run
                model.countStop(stop);
            }
            staleRefused = r.staleRefusals;
            ends = r.ends;
            r.ok(c.send("disconnect", null));
        }
        int staleRefs = model.refStop.size();
        // 102 moves, 12,157 ids, 148 stale ids refused, 17 references, 34 deep pages, 63 stops with ids,
        // 7 traps
        assertTrue(stop > 60 && model.given.size() > 5_000 && staleRefused > 40 && staleRefs > 10
                        && model.deepPages > 10 && model.accepted > 30 && !model.registers.isEmpty() && ends > 2,
                "moves " + stop + ", ids " + model.given.size() + ", stale refused " + staleRefused + ", references "
                        + staleRefs + ", deep pages " + model.deepPages + ", stops with ids " + model.accepted + ", "
                        + model.registers + ", ends " + ends);
    }

    /**
     * What the walk knows of the ids and references the server gave (which stop gave each, the
     * frame and function at each level of each stop, each function's register count), the checks
     * of the responses against it, and what it counted.
     */
    static final class Model {
        final Map<Integer, Given> given = new HashMap<>();
        /** The variables references scopes gave, with the stop that gave each. */
        final Map<Integer, Integer> refStop = new HashMap<>();
        // by stop, then level
        private final Map<Integer, Map<Integer, Integer>> idOfLevel = new HashMap<>();
        private final Map<Integer, Map<Integer, String>> nameOfLevel = new HashMap<>();
        final Map<String, Integer> registers = new HashMap<>();
        int deepPages;
        /** The stops in which an id was given (counted once a batch). */
        int accepted;

        /** A stackTrace response from {@code start}, sent at {@code thisStop}: one id per level, none given twice. */
        void stackTrace(JsonObject m, int start, int thisStop) {
            if (!m.get("success").getAsBoolean()) {
                assertEquals("the program is not paused", m.get("message").getAsString());
                return;
            }
            JsonArray frames = m.getAsJsonObject("body").getAsJsonArray("stackFrames");
            for (int i = 0; i < frames.size(); i++) {
                JsonObject f = frames.get(i).getAsJsonObject();
                int level = start + i;
                int id = f.get("id").getAsInt();
                String function = f.get("name").getAsString().split(" ")[0];
                assertTrue(id > 0, m.toString());
                Integer same = idOfLevel.computeIfAbsent(thisStop, x -> new HashMap<>()).putIfAbsent(level, id);
                assertTrue(same == null || same == id, "level " + level + ": ids " + same + " and " + id);
                String name = nameOfLevel.computeIfAbsent(thisStop, x -> new HashMap<>())
                        .putIfAbsent(level, f.get("name").getAsString());
                assertTrue(name == null || name.equals(f.get("name").getAsString()), name + " " + f);
                Given g = given.putIfAbsent(id, new Given(thisStop, level, function));
                assertTrue(g == null || g.stop() == thisStop && g.level() == level,
                        "id " + id + " given at stop " + (g == null ? -1 : g.stop()) + " level "
                                + (g == null ? -1 : g.level()) + ", again at stop " + thisStop + " level " + level);
            }
        }

        /**
         * A scopes response for {@code id} (given as {@code g} when sent, else null), sent at
         * {@code thisStop}: refused for an id of an earlier stop, else a frame of the function named.
         */
        void scopes(JsonObject m, int id, Given g, int thisStop) {
            boolean ok = m.get("success").getAsBoolean();
            // the given map may have grown since (a stackTrace earlier in this batch)
            Given now = g != null ? g : given.get(id);
            if (now != null && now.stop() < thisStop) {
                assertFalse(ok, "id " + id + " of stop " + now.stop() + " accepted at stop " + thisStop);
                String message = m.get("message").getAsString();
                assertTrue(message.contains(" is from an earlier stop")
                        || message.equals("the program is not paused"), message);
                return;
            }
            if (now != null && !ok) {
                assertEquals("the program is not paused", m.get("message").getAsString());
            }
            if (ok) {
                JsonObject s = m.getAsJsonObject("body").getAsJsonArray("scopes").get(0).getAsJsonObject();
                refStop.put(s.get("variablesReference").getAsInt(), thisStop);
                if (now != null) {
                    int count = s.get("indexedVariables").getAsInt();
                    Integer seen = registers.putIfAbsent(now.function(), count);
                    assertTrue(seen == null || seen == count, now + ": " + count + " registers, not " + seen);
                }
            } else {
                String message = m.get("message").getAsString();
                assertFalse(message.contains("\n") || message.length() > 300, message);
            }
        }

        /** A variables response for {@code ref} (given at {@code refGiven}), sent at {@code thisStop}: refused after a move. */
        static void variables(JsonObject m, int ref, int refGiven, int thisStop) {
            if (refGiven < thisStop) {
                assertFalse(m.get("success").getAsBoolean(), "reference " + ref + " of stop " + refGiven
                        + " accepted at stop " + thisStop);
            }
        }

        /** Counts {@code stop} in {@link #accepted} when an id was given in it. */
        void countStop(int stop) {
            for (Given g : given.values()) {
                if (g.stop() == stop) {
                    accepted++;
                    break;
                }
            }
        }
    }

    /** An id of this stop, of an earlier one, or a guess (0, negative, the largest, just past the last given). */
    private static int chooseId(Random rnd, Map<Integer, Given> given, int stop) {
        List<Integer> now = new ArrayList<>();
        List<Integer> old = new ArrayList<>();
        int max = 0;
        for (var e : given.entrySet()) {
            (e.getValue().stop() == stop ? now : old).add(e.getKey());
            max = Math.max(max, e.getKey());
        }
        int pick = rnd.nextInt(10);
        if (pick < 4 && !now.isEmpty()) {
            return now.get(rnd.nextInt(now.size()));
        }
        if (pick < 8 && !old.isEmpty()) {
            return old.get(rnd.nextInt(old.size()));
        }
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> -1 - rnd.nextInt(3);
            case 2 -> Integer.MAX_VALUE - rnd.nextInt(3);
            default -> max + 1 + rnd.nextInt(3);
        };
    }

    /** The server's responses by request seq, read as they come (events skipped), each at most once. */
    static final class Responses {
        private final DapClient client;
        private final Map<Integer, JsonObject> waiting = new HashMap<>();
        int staleRefusals;
        /** The program's ends (each a trap: {@code exited} 1). */
        int ends;

        Responses(DapClient client) {
            this.client = client;
        }

        JsonObject get(int seq) {
            try {
                while (!waiting.containsKey(seq)) {
                    JsonObject m = JsonParser.parseString(client.next()).getAsJsonObject();
                    if (m.get("type").getAsString().equals("event") && m.get("event").getAsString().equals("exited")) {
                        assertEquals(1, m.getAsJsonObject("body").get("exitCode").getAsInt(), m.toString());
                        ends++;
                    }
                    if (m.get("type").getAsString().equals("response")) {
                        assertNull(waiting.put(m.get("request_seq").getAsInt(), m), "answered twice: " + m);
                        if (!m.get("success").getAsBoolean()) {
                            String message = m.get("message").getAsString();
                            assertFalse(message.contains("\n") || message.contains("Exception"), message);
                            if (message.contains(" is from an earlier stop")) {
                                staleRefusals++;
                            }
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return waiting.get(seq);
        }

        JsonObject ok(int seq) {
            JsonObject m = get(seq);
            assertTrue(m.get("success").getAsBoolean(), m.toString());
            return m;
        }
    }
}
