package dev.tape.vm;

import dev.tape.jit.Jit;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tenth round's changes together (the interpreter's call and return copies written out, the
 * steady copy's looping sites, the assembler split, one initialising thread per class loader):
 * random programs assembled from text by the split {@link dev.tape.asm.AsmParser}, dense in calls
 * of every shape the written-out copies handle: functions of 0 to 7 parameters and 0 to 4 results
 * mixing {@code i64}, {@code f64}, {@code bool}, {@code unit} (no storage: skipped by the copy) and
 * {@code agg} values, called directly, through a func value and through a closure (whose
 * environment takes the first parameter), from {@code main}'s loop (peeled by the compiled tier)
 * and from each other, with host calls (one that suspends) and a recursion as deep as an argument
 * says (one program in eight just below and past the default call depth). {@link AttackAllDriver}
 * writes their transcripts on the interpreter, the compiled tier, the interpreter stepped and a
 * {@code Jit.compileFramed} VM (every fuel limit with each pause restored on another way, heap,
 * call-depth and register limits near what the run uses); the four must agree line by line, none
 * may end in {@code internal_error}, and with {@code -Dtape.before.jar=FILE} (a build before the
 * round) the old build's transcripts must equal these. {@code AttackRoundNineTogetherTest}'s
 * programs are checked the same way on a few seeds of their own (from 70,000). Last, the first
 * uses of tape in fresh class loaders by several threads at once, some from exhausted stacks
 * ({@link AttackTenFirstUse}).
 *
 * <p>It runs 4 programs of this form and 2 of the ninth round's; {@code -Dattack.ten.from=N
 * -Dattack.ten.seeds=M} runs others, {@code -Dattack.ten.loaders=K} K class loaders (4).
 * On b49ec81 with the digest fix, nothing differed between the ways or against 81f983f (the build
 * before the round, every transcript compared) in 400 programs of this form (seeds 0 to 399) and
 * 203 of the ninth round's (seeds 60000 to 60202); 30 class loaders of first uses agreed. Before
 * the digest fix, one of the first such runs left {@code jdk.internal.reflect.ClassDefiner}
 * erroneous and a deep thread never got a snapshot ({@code HashDigestReflectionTest}).
 */
class AttackRoundTenTogetherTest {
    /** the value types of parameters and results */
    private static final String[] TYPES = {"i64", "i64", "f64", "bool", "unit", "agg"};

    /** A function's shape: whether it takes a closure's environment first, its parameters and results. */
    private record Shape(boolean closure, String[] params, String[] results) {
        /** the signature as a callsig declares it (an {@code agg} without its shape) */
        String sig() {
            return "(" + String.join(", ", params) + ") -> (" + String.join(", ", results) + ")";
        }

        /** a parameter's type as declared: an {@code agg} is a tuple of one {@code i64} */
        static String decl(String type) {
            return type.equals("agg") ? "agg tuple(i64)" : type;
        }
    }

    /**
     * One call of {@code g<k>} from a function: its arguments made from the i64 registers
     * {@code ints} into registers from {@code at} on, the call (direct, through a func value or
     * through a closure), and its results folded into {@code acc}.
     *
     * @return the next free register
     */
    private static int call(StringBuilder s, SplittableRandom rnd, Shape[] shapes, int k, String[] ints, String acc,
            int at, String env) {
        Shape sh = shapes[k];
        List<String> args = new ArrayList<>();
        int r = at;
        for (String t : sh.params()) {
            String a = ints[rnd.nextInt(ints.length)];
            String reg = "r" + r++;
            switch (t) {
                case "i64" -> s.append("    mov ").append(reg).append(", ").append(a).append('\n');
                case "f64" -> s.append("    i64.to_f64 ").append(reg).append(", ").append(a).append('\n');
                case "bool" -> s.append("    i64.lt ").append(reg).append(", ").append(a).append(", ")
                        .append(ints[rnd.nextInt(ints.length)]).append('\n');
                case "unit" -> s.append("    const.unit ").append(reg).append('\n');
                default -> s.append("    tuple.new ").append(reg).append(", [").append(a).append("]\n");
            }
            args.add(reg);
        }
        List<String> dsts = new ArrayList<>();
        for (int i = 0; i < sh.results().length; i++) {
            dsts.add("r" + r++);
        }
        String to = " -> [" + String.join(", ", dsts) + "]\n";
        String list = "[" + String.join(", ", args) + "]";
        if (sh.closure()) {
            String e = "r" + r++;
            String f = "r" + r++;
            String c = "r" + r++;
            if (rnd.nextInt(3) == 0) {
                // a direct call passes the environment itself
                s.append("    tuple.new ").append(e).append(", [").append(env).append("]\n");
                s.append("    call r0, g").append(k).append(", r0, [").append(e).append(args.isEmpty() ? "" : ", ")
                        .append(String.join(", ", args)).append(']').append(to);
            } else {
                s.append("    const.func ").append(f).append(", g").append(k).append('\n');
                s.append("    tuple.new ").append(e).append(", [").append(env).append("]\n");
                s.append("    closure.new ").append(c).append(", ").append(f).append(", ").append(e).append('\n');
                s.append("    call.indirect r0, s").append(k).append(", ").append(c).append(", r0, ").append(list)
                        .append(to);
            }
        } else if (rnd.nextBoolean()) {
            s.append("    call r0, g").append(k).append(", r0, ").append(list).append(to);
        } else {
            String f = "r" + r++;
            s.append("    const.func ").append(f).append(", g").append(k).append('\n');
            s.append("    call.indirect r0, s").append(k).append(", ").append(f).append(", r0, ").append(list)
                    .append(to);
        }
        String t = "r" + r++;
        for (int i = 0; i < dsts.size(); i++) {
            String d = dsts.get(i);
            switch (sh.results()[i]) {
                case "i64" -> s.append("    i64.add ").append(acc).append(", ").append(acc).append(", ").append(d)
                        .append('\n');
                case "f64" -> s.append("    f64.to_i64 ").append(t).append(", ").append(d).append("\n    i64.xor ")
                        .append(acc).append(", ").append(acc).append(", ").append(t).append('\n');
                case "bool" -> s.append("    const.i64 ").append(t).append(", 3\n    i64.add ").append(t).append(", ")
                        .append(acc).append(", ").append(t).append("\n    select ").append(acc).append(", ").append(d)
                        .append(", ").append(t).append(", ").append(acc).append('\n');
                // an agg result has no declared shape: not read
                default -> { }
            }
        }
        return r;
    }

    /** The function {@code g<j>}: folds its parameters, may call later functions, returns its results. */
    private static void function(StringBuilder s, SplittableRandom rnd, Shape[] shapes, int j) {
        Shape sh = shapes[j];
        s.append("func g").append(j).append("(");
        List<String> ps = new ArrayList<>();
        if (sh.closure()) {
            ps.add("env: agg tuple(i64)");
        }
        for (int i = 0; i < sh.params().length; i++) {
            ps.add("p" + i + ": " + Shape.decl(sh.params()[i]));
        }
        s.append(String.join(", ", ps)).append(") -> (").append(String.join(", ", sh.results())).append(") {\n");
        int first = ps.size() + 1;
        String acc = "r" + first;
        String fa = "r" + (first + 1);
        String t = "r" + (first + 2);
        s.append("    const.i64 ").append(acc).append(", ").append(j + 1).append('\n');
        s.append("    const.f64 ").append(fa).append(", ").append(rnd.nextInt(9) / 4.0).append('\n');
        s.append("    const.i64 ").append(t).append(", 0\n");
        int p = 1;
        if (sh.closure()) {
            s.append("    tuple.get ").append(t).append(", r1, 0\n    i64.add ").append(acc).append(", ").append(acc)
                    .append(", ").append(t).append('\n');
            p = 2;
        }
        for (String ty : sh.params()) {
            String reg = "r" + p++;
            switch (ty) {
                case "i64" -> s.append("    i64.").append(rnd.nextBoolean() ? "add " : "xor ").append(acc).append(", ")
                        .append(acc).append(", ").append(reg).append('\n');
                case "f64" -> s.append("    f64.add ").append(fa).append(", ").append(fa).append(", ").append(reg)
                        .append('\n');
                case "bool" -> s.append("    const.i64 ").append(t).append(", 5\n    i64.mul ").append(t).append(", ")
                        .append(acc).append(", ").append(t).append("\n    select ").append(acc).append(", ").append(reg)
                        .append(", ").append(t).append(", ").append(acc).append('\n');
                case "agg" -> s.append("    tuple.get ").append(t).append(", ").append(reg).append(", 0\n    i64.add ")
                        .append(acc).append(", ").append(acc).append(", ").append(t).append('\n');
                default -> { }
            }
        }
        int free = first + 3;
        if (j + 1 < shapes.length && rnd.nextInt(3) != 0) {
            for (int c = 0, calls = 1 + rnd.nextInt(2); c < calls; c++) {
                int k = j + 1 + rnd.nextInt(shapes.length - j - 1);
                free = call(s, rnd, shapes, k, new String[] {acc, "r" + first}, acc, free, acc);
            }
        }
        if (rnd.nextInt(4) == 0) {
            s.append("    host_call r0, hf, r0, [").append(acc).append("] -> [").append(acc).append("]\n");
        }
        if (rnd.nextInt(5) == 0) {
            s.append("    host_call r0, hw, r0, [").append(acc).append(", ").append(t).append("] -> [").append(acc)
                    .append(", ").append(t).append("]\n");
        }
        // mask so that the f64 results convert back without a trap
        s.append("    const.i64 ").append(t).append(", 1048575\n    i64.and ").append(acc).append(", ").append(acc)
                .append(", ").append(t).append('\n');
        List<String> outs = new ArrayList<>();
        for (String ty : sh.results()) {
            String reg = "r" + free++;
            switch (ty) {
                case "i64" -> s.append("    const.i64 ").append(reg).append(", ").append(rnd.nextInt(7))
                        .append("\n    i64.add ").append(reg).append(", ").append(reg).append(", ").append(acc)
                        .append('\n');
                case "f64" -> s.append("    i64.to_f64 ").append(reg).append(", ").append(acc).append("\n    f64.add ")
                        .append(reg).append(", ").append(reg).append(", ").append(fa).append('\n');
                case "bool" -> s.append("    const.i64 ").append(t).append(", ").append(rnd.nextInt(64))
                        .append("\n    i64.lt ").append(reg).append(", ").append(t).append(", ").append(acc).append('\n');
                case "unit" -> s.append("    const.unit ").append(reg).append('\n');
                default -> s.append("    tuple.new ").append(reg).append(", [").append(acc).append("]\n");
            }
            outs.add(reg);
        }
        s.append("    ret r0, [").append(String.join(", ", outs)).append("]\n}\n");
    }

    /** A random type list of up to {@code max} entries. */
    private static String[] types(SplittableRandom rnd, int max) {
        String[] t = new String[rnd.nextInt(max + 1)];
        for (int i = 0; i < t.length; i++) {
            t[i] = TYPES[rnd.nextInt(TYPES.length)];
        }
        return t;
    }

    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int count = 2 + rnd.nextInt(5);
        Shape[] shapes = new Shape[count];
        for (int j = 0; j < count; j++) {
            shapes[j] = new Shape(rnd.nextInt(3) == 0, types(rnd, rnd.nextInt(4) == 0 ? 7 : 3),
                    types(rnd, rnd.nextInt(4) == 0 ? 4 : 2));
        }
        StringBuilder s = new StringBuilder("program ten\n");
        s.append("host hf = \"w.f\" (i64) -> (i64)\nhost hw = \"w.w\" (i64, i64) -> (i64, i64)\n");
        s.append("host hx = \"w.x\" (i64) -> (i64)\n");
        for (int j = 0; j < count; j++) {
            s.append("callsig s").append(j).append(" = ").append(shapes[j].sig()).append('\n');
        }
        // main is function 0, side (the boxed host function's nested run) function 1
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        s.append("    const.i64 r4, 0\n    const.i64 r5, 0\n    const.i64 r6, 1\n    mov r7, r2\n");
        s.append("    jmp loop\nloop:\n    i64.lt r8, r5, r1\n    br r8, body, done\nbody:\n");
        int free = 10;
        for (int u = 0, sites = 2 + rnd.nextInt(5); u < sites; u++) {
            switch (rnd.nextInt(8)) {
                case 0 -> s.append("    call r0, rec, r0, [r3, r7] -> [r9]\n    i64.add r4, r4, r9\n");
                case 1 -> s.append("    host_call r0, hx, r0, [r4] -> [r7]\n");
                case 2 -> s.append("    host_call r0, hw, r0, [r5, r4] -> [r9, r7]\n    i64.add r4, r4, r9\n");
                // fresh registers at each site: the loop joins them, so each keeps one type
                default -> free = call(s, rnd, shapes, rnd.nextInt(count), new String[] {"r4", "r5", "r7", "r2"},
                        "r4", free, "r5");
            }
        }
        s.append("    const.i64 r9, 1048575\n    i64.and r4, r4, r9\n    i64.add r5, r5, r6\n    jmp loop\n");
        s.append("done:\n    ret r0, [r4]\n}\n");
        s.append("""
                func side(x: i64) -> (i64) {
                    host_call r0, hf, r0, [r1] -> [r2]
                    const.i64 r3, 2
                    i64.mul r2, r2, r3
                    ret r0, [r2]
                }
                """).append(AttackPrograms.REC_TUPLE);
        for (int j = 0; j < count; j++) {
            function(s, rnd, shapes, j);
        }
        long depth = rnd.nextInt(8) == 0 ? 1018 + rnd.nextInt(8) : rnd.nextInt(10);
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(5), rnd.nextLong(1000), depth);
    }

    /** Checks one program as {@link AttackRoundNineTogetherTest#check} does. */
    static boolean check(long seed, Method oldRun) throws Exception {
        return AttackRoundNineTogetherTest.check(program(seed), seed, oldRun, true);
    }

    @Test
    void callShapesOnEveryWayAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.ten", 4);
        int results = 0;
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                results += check(seed, old.run()) ? 1 : 0;
            }
            for (long seed = seeds.from(); seed < seeds.from() + seeds.count() / 2; seed++) {
                AttackRoundNineTogetherTest.check(70_000 + seed, old.run(), true);
            }
        }
        assertTrue(results >= (seeds.count() + 2) / 3, "results " + results + " of " + seeds.count());
    }

    /**
     * The first uses of tape in fresh class loaders, by eight threads at once (assembling, verifying,
     * making VMs of every way, running, pausing, snapshotting and restoring on another way), every
     * other thread from every fourth depth of an exhausted stack, in class loaders whose classes are
     * loaded and linked first (so that the deep calls only initialise) and in ones whose are not:
     * each thread's transcript must be what the same use gives here, and every class of tape-core
     * and tape-jit must initialise afterwards.
     */
    @Test
    void firstUsesFromManyThreadsAndExhaustedStacksInFreshClassLoaders() throws Exception {
        int loaders = Integer.getInteger("attack.ten.loaders", 4);
        int threads = 8;
        for (int round = 0; round < loaders; round++) {
            String[] sources = new String[3];
            long[][] args = new long[3][];
            long[] fuel = new long[3];
            for (int j = 0; j < 3; j++) {
                AttackPrograms.Generated g = program(1000 + 3L * round + j);
                sources[j] = g.source();
                args[j] = new long[] {g.n(), g.x(), Math.min(g.d(), 30)};
                fuel[j] = 12 + 9L * j + 2L * round;
            }
            String[] expected = new String[threads];
            for (int i = 0; i < threads; i++) {
                int s = i % 3;
                String t = AttackTenFirstUse.use(sources[s], args[s], i % 3, fuel[s]);
                expected[i] = i % 2 == 1 ? "deep " + t : t;
            }
            assertTrue(java.util.Arrays.stream(expected).anyMatch(t -> t.contains(" then ")), expected[0]);
            try (URLClassLoader l = fresh()) {
                if (round % 2 == 0) {
                    for (String name : tapeClasses()) {
                        Class.forName(name, false, l).getDeclaredConstructors();
                    }
                }
                Class<?> c = Class.forName(AttackTenFirstUse.class.getName(), true, l);
                Method together = c.getDeclaredMethod("together", String[].class, long[][].class, long[].class,
                        int.class);
                together.setAccessible(true);
                String[] got = (String[]) together.invoke(null, sources, args, fuel, threads);
                Field last = c.getDeclaredField("lastFailure");
                last.setAccessible(true);
                Object failure = last.get(null);
                if (failure instanceof Throwable e) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(w));
                    failure = w.toString().lines().filter(x -> !x.contains("Deep.down")).limit(80)
                            .collect(java.util.stream.Collectors.joining("\n"));
                }
                for (int i = 0; i < threads; i++) {
                    assertEquals(expected[i], got[i], "round " + round + " thread " + i + " (last failure " + failure
                            + ")\n" + sources[i % 3]);
                }
                Field failures = c.getDeclaredField("deepFailures");
                failures.setAccessible(true);
                int deepFailed = ((java.util.concurrent.atomic.AtomicInteger) failures.get(null)).get();
                // the deepest tries had no stack for the use itself
                assertTrue(deepFailed >= threads / 2, "round " + round + ": deep failures " + deepFailed);
                if (Boolean.getBoolean("attack.ten.verbose")) {
                    System.out.println("round " + round + " deep failures " + deepFailed + " last " + failure);
                }
                List<String> broken = new ArrayList<>();
                for (String name : tapeClasses()) {
                    try {
                        Class.forName(name, true, l);
                    } catch (Throwable e) {
                        broken.add(name + ": " + e);
                    }
                }
                assertEquals(List.of(), broken, "round " + round);
            }
        }
    }

    /** tape-core's and tape-jit's classes, as {@code FirstUseDeepTest} lists them */
    @SuppressWarnings("unchecked")
    private static List<String> tapeClasses() throws Exception {
        Method m = Class.forName("dev.tape.jit.FirstUseDeepTest").getDeclaredMethod("tapeClasses");
        m.setAccessible(true);
        return (List<String>) m.invoke(null);
    }

    private static URLClassLoader fresh() throws Exception {
        URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
            location(AttackRoundTenTogetherTest.class)};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static URL location(Class<?> c) throws Exception {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
