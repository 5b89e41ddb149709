package dev.tape.vm;

import dev.tape.classinit.ClassInit;
import dev.tape.host.Host;
import dev.tape.jfr.CompileEvent;
import dev.tape.jfr.TapeEvents;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.Generated;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled code of one VM, made on demand: a function gets its method when it first runs in a
 * compiled run (as the entry of a run, or called from compiled code), never up front. Until then,
 * and when it cannot be compiled, the interpreter runs it; either way outcomes are the same, only
 * speed differs.
 *
 * <p>Each compile defines one hidden class holding one entry method of the compiled-code type (and,
 * for a function whose self-calls pass word arguments as JVM parameters, the body it calls); functions whose lowered code, register
 * types and result passing are equal (function-table rows that share one code blob and signature)
 * share that method, which takes the function id as a parameter. What the compiled code of one VM
 * may cost is bounded by {@link #MAX_CLASS_BYTES} per class, {@link #MAX_TOTAL_BYTES} and
 * {@link #MAX_CLASSES} per VM: past them every further function is interpreted.
 *
 * <p>The tier lives in tape-core beside the interpreter, whose package-private state it and the
 * generated code work on; the code generator (ASM, in {@code tape-jit}) reaches the program only
 * through a {@link JitView} and hands back class bytes, which this class defines through a lookup of
 * this package ({@link #hidden()}), so the generated code has this package's access and the generator
 * none.
 *
 * <p>Thread safety: compiles run under this object's lock; the handle array is read without it (a
 * stale null only sends the reader to the locked path, and method handles are immutable). A call
 * from compiled code to another function goes through that function's {@link MutableCallSite},
 * whose target is a stub that compiles the callee (or hands the run to the interpreter) until the
 * callee has a method, then the method itself (so C2 inlines it).
 */
final class JitTier extends CompiledTier {
    /**
     * Largest hidden class defined, in bytes of class file: one method is under HotSpot's 8,000
     * bytes of bytecode (the generator's limit), and its constant pool holds at most one
     * 9-byte entry per 3 bytes of code (wide constants) plus a fixed part.
     */
    static final int MAX_CLASS_BYTES = 64 * 1024;

    /** Most bytes of class files that one VM defines in all (HotSpot keeps several times this in metaspace). */
    static final long MAX_TOTAL_BYTES = 8L * 1024 * 1024;

    /** Most hidden classes that one VM defines. */
    static final int MAX_CLASSES = 2_048;

    /**
     * Most ints of lowered code a function may have and still be handed to the code generator.
     * Generating looks at the whole function (several passes, and up to eight attempts, each
     * stopped soon after the method passes its size limit), however little of it runs: a function of
     * a million ints entered once took 136 to 148 ms on every fresh VM, where the interpreter
     * runs it in microseconds; one of 16,000 ints about 3 to 5 ms. No function this long compiles
     * anyway (a method may have 7,900 bytes of bytecode, and every lowered instruction but
     * {@code nop} takes more bytes than ints: 1,000 {@code i64.add} (4,000 ints) compile, 1,200 do
     * not; 1,000 {@code const.i64} (3,000 ints) do, 2,000 do not), unless it is mostly {@code nop}s.
     * Unreachable code counts too: the generator emits only reachable blocks, but each generation
     * walks the whole code (block leaders, labels, resume points per code index), about 20 ns an int,
     * so 10 reachable instructions behind a dead tail of 1,000,000 ints took 19 to 22 ms a generation
     * (0.1 ms without the tail); such a function stays interpreted.
     */
    static final int MAX_CODE_INTS = 8_192;

    /** Classes a VM generates (defined or not) before {@link #FUEL_PER_CLASS} applies. */
    static final int FREE_CLASSES = 64;

    /**
     * Fuel that runs of a VM must have used for each class it generates past {@link #FREE_CLASSES}
     * (defined or not: a generation that fails, too large, costs about as much)
     * (a compile that fits at once takes about 0.3 to 1.1 ms of CPU, one through the whole size
     * fallback up to about 17 ms on the loaded build machine; the interpreter runs 20,000
     * instructions of a plain loop in about 0.05 ms): so compiling never costs more than about
     * 0.85 us a unit of the fuel the runs use, plus a fixed part, however many functions run once
     * (docs/SECURITY.md, "The compiled tier", measured with {@code CompileCostMain}).
     * The fuel counted is what the current run has used so far and what earlier runs used, compiled
     * or interpreted ({@code spent}); a function refused for want of it is compiled at a later call.
     * (Counting compiled code's fuel only, a VM whose runs entered 64 functions that failed to
     * generate, or that compiled and ran for a few fuel each, never compiled another function
     * whose runs are all refused at their entry, and so interpreted, however long they ran.)
     */
    static final long FUEL_PER_CLASS = 20_000;

    /**
     * Least Java stack, in words, that must be left for the callee's frame and what follows for a
     * compile to run at a call (the compile itself runs there, on the run's thread); with less,
     * the call hands over to the interpreter and the function is compiled at a later, shallower call.
     */
    static final int COMPILE_STACK_WORDS = JitRuntime.STACK_WORDS / 2;

    /**
     * The type of every compiled method: {@code (vm, c, base, depth, stackWords, func, resume) -> long};
     * {@code resume} is {@link #FRESH} for a call, else the code index (a block start) where a
     * paused frame goes on, every register then read from the register files (see {@link JitResume}).
     */
    static final MethodType TYPE = MethodType.methodType(long.class, Vm.class, ExecutionContext.class,
            int.class, int.class, int.class, int.class, int.class);

    /** The {@code resume} argument of a call: the method starts at code index 0 with its arguments. */
    static final int FRESH = -1;

    /**
     * @param rets the result types of a function or call signature
     * @return whether a compiled method with these results returns them as its {@code long} (one
     *     word value: bool, i64, u64, f64, func) rather than through the context's result arrays
     */
    static boolean direct(List<ValueType> rets) {
        return rets.size() == 1 && Aggregate.isWord(rets.get(0).kind());
    }

    /** How the generated classes are defined: the JVM's hidden classes, or a test's stand-in. */
    interface Definer {
        /**
         * @param bytes a class file
         * @param links the class data (the call sites' invokers its static initialiser reads)
         * @return the lookup of the defined, initialised class
         * @throws Throwable anything the JVM throws (each one makes the function interpreted)
         */
        MethodHandles.Lookup define(byte[] bytes, List<MethodHandle> links) throws Throwable;
    }

    /** The budgets of one VM's compiled code; tests change them. */
    record Budget(int maxClassBytes, long maxTotalBytes, int maxClasses, int freeClasses, long fuelPerClass) {
        static final Budget DEFAULT = new Budget(MAX_CLASS_BYTES, MAX_TOTAL_BYTES, MAX_CLASSES, FREE_CLASSES,
                FUEL_PER_CLASS);

        /** The default fuel credit with other limits. */
        Budget(int maxClassBytes, long maxTotalBytes, int maxClasses) {
            this(maxClassBytes, maxTotalBytes, maxClasses, FREE_CLASSES, FUEL_PER_CLASS);
        }
    }

    /**
     * @return the definer of the JVM's hidden classes, in this package (a new one each call: it
     *     holds no state)
     */
    static Definer hidden() {
        return new Hidden();
    }

    /** Defines the generated classes as hidden classes of this package, initialised. */
    private static final class Hidden implements Definer {
        @Override
        public MethodHandles.Lookup define(byte[] bytes, List<MethodHandle> links) throws Throwable {
            MethodHandles.Lookup l = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, links, false);
            l.ensureInitialized(l.lookupClass());
            return l;
        }
    }

    private static final byte NEW = 0;
    private static final byte COMPILED = 1;
    private static final byte FAILED = 2;

    /**
     * {@link JitRuntime#lazy}, found by the static initialiser where it can be, else when first
     * needed ({@link #lazy()}): this class's initialiser fails for no other class of tape's, so a
     * JVM that fails to load one once (no memory) fails one compile, which is then interpreted, and
     * never leaves this class unusable in its class loader (every later use would throw
     * {@code NoClassDefFoundError})
     */
    private static volatile MethodHandle lazy;

    static {
        // found up front where it can be (this initialiser runs on ClassInit's thread, off the
        // running thread's first compile), and where it cannot, at the first call site
        try {
            lazy();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // left to lazy()'s next call
        }
    }

    /**
     * @return {@link JitRuntime#lazy}'s handle
     * @throws LinkageError or {@link VirtualMachineError} when the JVM cannot load or link it (the
     *     compile that needs it fails: its function is interpreted)
     */
    private static MethodHandle lazy() {
        MethodHandle h = lazy;
        if (h == null) {
            try {
                h = MethodHandles.lookup().findStatic(JitRuntime.class, "lazy",
                        MethodType.methodType(long.class, JitTier.class, int.class, Vm.class, ExecutionContext.class,
                                int.class, int.class, int.class, int.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("tape-core is incomplete: no JitRuntime.lazy", e);
            }
            lazy = h;
        }
        return h;
    }

    final Vm vm;
    /** the code generator ({@code tape-jit}) */
    private final Codegen codegen;
    /** what the code generator reads of {@link #vm} and this tier */
    final JitView view;
    /**
     * per function id: {@code (Vm, ExecutionContext, int base, int depth, int stackWords, int func) -> long},
     * or null while it has none (read without the lock: see the class comment)
     */
    final MethodHandle[] handles;
    /**
     * per function id with a method: per code index, whether the method can be resumed there
     * (its reachable block starts); written with {@link #handles}, before it
     */
    private final boolean[][] points;
    /** per function id: its block starts ({@link JitResume#leaders}), made when first needed */
    private final boolean[][] leaders;
    /** how many times {@link #resume} has started a compiled method (for tests) */
    final java.util.concurrent.atomic.AtomicLong resumed = new java.util.concurrent.atomic.AtomicLong();
    /** per function id: NEW, COMPILED or FAILED (never compiled: too large, refused, or the budget is spent) */
    private final byte[] state;
    /** per function id: the call site compiled callers call it through, made when first needed */
    private final MutableCallSite[] sites;
    /** A shape's method and its resume points (per code index). */
    private record Made(MethodHandle handle, boolean[] points) {}

    /** per shape: its method ({@link Made}), or {@link Boolean#FALSE} when it failed */
    private final Map<Shape, Object> shapes = new HashMap<>();
    /** per function id: its shape, made at its first compile */
    private final Shape[] shapeOf;
    /** the most results any function returns (the size of the context's result arrays) */
    private final int maxResults;
    private final Budget budget;
    private final Definer definer;
    /** classes defined, and their bytes in all */
    private int classes;
    /**
     * generations started, whether or not they made a class: what the fuel credit counts past the
     * free classes, so a run entering many functions too large to compile (each generation costing
     * up to about a class's time, then failing) pays for them like classes
     */
    private int generated;
    private long classBytes;
    /** set when the JVM ran out of memory for classes: nothing more is compiled */
    private boolean exhausted;
    /**
     * fuel the VM's runs have used, each unit once: what each stretch of compiled code used (from
     * its start, {@link ExecutionContext#creditMark}, to its end) and what the interpreter ran
     * ({@link #interpreted}); a compile adds only what its own stretch has used so far (see
     * {@link #FUEL_PER_CLASS})
     */
    private final java.util.concurrent.atomic.AtomicLong spent = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Makes a VM whose runs execute compiled code where they can ({@code Jit.compile}).
     *
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException with eager linking, when the host lacks imports
     */
    static Vm compile(VerifiedProgram program, Host host, VmOptions options, Budget budget, Definer definer,
                      Codegen codegen) {
        Vm vm = new Vm(program, host, options);
        vm.tier = new JitTier(vm, budget, definer, codegen);
        return vm;
    }

    JitTier(Vm vm, Budget budget, Definer definer, Codegen codegen) {
        int n = vm.funcs.length;
        this.vm = vm;
        this.codegen = codegen;
        this.view = new JitView(vm, this);
        this.handles = new MethodHandle[n];
        this.state = new byte[n];
        this.sites = new MutableCallSite[n];
        this.points = new boolean[n][];
        this.leaders = new boolean[n][];
        this.shapeOf = new Shape[n];
        this.maxResults = maxResults(vm);
        this.budget = budget;
        this.definer = definer;
    }

    @Override
    boolean compiled(int func) {
        return state[func] != FAILED;
    }

    /** @return the Java stack, in words, a function's compiled frame may take */
    int cost(int func) {
        return codegen.stackCost(vm.image.regCount(func));
    }

    /**
     * Per thread, in its one element: the Java stack, in words, that a compiled run starting now
     * may use. With no compiled run active on the thread it is {@link JitRuntime#STACK_WORDS};
     * while one is, it is what the run's innermost compiled frame had left at its last host call
     * (compiled code writes it there before each one, through {@link ExecutionContext#stackShare}),
     * which is always less. So a run that a host function starts gets that, less
     * {@link JitRuntime#NEST_WORDS}: the compiled frames of all the runs on a thread together stay
     * within {@code STACK_WORDS}, however deep hosts nest runs. A run whose entry frame does not fit,
     * or whose entry has no method and cannot get one now, is interpreted from its start.
     */
    private static final ThreadLocal<int[]> STACK_LEFT = new ThreadLocal<>();

    /**
     * @return this thread's {@link #STACK_LEFT}, made on the thread's first compiled run (a plain
     *     {@link ThreadLocal}: no initial-value lambda whose class this class's initialiser would
     *     have to spin, see {@link #lazy})
     */
    static int[] stackLeft() {
        int[] share = STACK_LEFT.get();
        if (share == null) {
            share = new int[] {JitRuntime.STACK_WORDS};
            STACK_LEFT.set(share);
        }
        return share;
    }

    @Override
    int run(Vm vm, ExecutionContext c, int entry) {
        int[] share = stackLeft();
        int stack = share[0];
        // less than the whole budget: a compiled run is active, and this one is nested in it
        boolean nested = stack < JitRuntime.STACK_WORDS;
        int left = stack - cost(entry) - (nested ? JitRuntime.NEST_WORDS : 0);
        if (left < 0) {
            // the context is as Vm prepared it: the interpreter runs the entry from pc 0
            return HANDOVER;
        }
        long fuel = c.fuelLeft();
        c.creditMark = fuel;
        MethodHandle h = handle(entry, stack - (nested ? JitRuntime.NEST_WORDS : 0), c);
        if (h == null) {
            return HANDOVER;
        }
        ensureResults(c);
        share[0] = left;
        c.stackShare = share;
        try {
            // the entry's results stay in its registers (Vm reads them at its ret); the value is unused
            long ignored = (long) h.invokeExact(vm, c, 0, 1, left, entry, FRESH);
            c.consume(0);
            return Interpreter.DONE;
        } catch (JitRuntime.Unwind u) {
            c.consume(0);
            return c.tierStatus;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            share[0] = stack;
            spend(fuel - c.fuelLeft());
        }
    }

    /** Makes the context's result arrays large enough for any function's results. */
    void ensureResults(ExecutionContext c) {
        if (c.retW.length < maxResults) {
            c.retW = new long[maxResults];
            c.retR = new Object[maxResults];
        }
    }

    /** Counts fuel a compiled run used toward {@link #FUEL_PER_CLASS}. */
    void spend(long used) {
        spent.addAndGet(Math.max(0, used));
    }

    @Override
    void interpreted(long fuel) {
        spend(fuel);
    }

    @Override
    int resume(Vm vm, ExecutionContext c) {
        return JitResume.resume(this, vm, c);
    }

    /**
     * {@inheritDoc} Compiles the function when it has no method yet and may get one within this
     * tier's budgets (the fuel credit is what compiled runs have used so far).
     */
    @Override
    boolean resumable(int func, int ip) {
        if (func < 0 || func >= handles.length || ip < 0 || ip >= vm.funcs[func].codeLength()) {
            return false;
        }
        if (handles[func] == null && (state[func] == FAILED || compile(func, spent.get()) == null)) {
            return false;
        }
        return point(func, ip);
    }

    /** @return whether {@code func}'s method (which it has) can be resumed at code index {@code ip} */
    boolean point(int func, int ip) {
        boolean[] p = points[func];
        return p != null && ip >= 0 && ip < p.length && p[ip];
    }

    @Override
    int toResumePoint(int func, int ip) {
        boolean[] lead = leaders[func];
        int entry = vm.image.entry(func);
        if (lead == null) {
            lead = JitResume.leaders(vm.image.code(), entry, vm.funcs[func].codeLength(), vm.funcs[func],
                    vm.hostWords);
            leaders[func] = lead;
        }
        return JitResume.toResumePoint(vm.image.code(), entry, vm.funcs[func], lead, ip, vm.hostWords);
    }

    /**
     * The method of a function, compiled now when it has none yet and may get one.
     *
     * @param func a function id
     * @param stack the Java stack left, in words, at the point of the call (a compile runs only
     *     with at least {@link #COMPILE_STACK_WORDS})
     * @param c the run's context (the fuel it has used counts toward {@link #FUEL_PER_CLASS})
     * @return its handle, or null: interpret it (for now or for good)
     */
    MethodHandle handle(int func, int stack, ExecutionContext c) {
        MethodHandle h = handles[func];
        if (h != null || stack < COMPILE_STACK_WORDS || state[func] == FAILED) {
            return h;
        }
        // the fuel used since compiled code started on c (the fuel left counts the reserve, where
        // Run.resume holds all but a stretch's fuel): what ended before is in spent already
        return compile(func, spent.get() + Math.max(0, c.creditMark - c.fuelLeft()));
    }

    /**
     * Compiles a function now, whatever the stack (tests and {@code Jit.precompile}).
     *
     * @return whether it has a method
     */
    boolean compileNow(int func) {
        return handles[func] != null || compile(func, Long.MAX_VALUE) != null;
    }

    /** @return how many functions have a method */
    synchronized int compiledCount() {
        int n = 0;
        for (MethodHandle h : handles) {
            n += h == null ? 0 : 1;
        }
        return n;
    }

    /** @return hidden classes defined so far */
    synchronized int classes() {
        return classes;
    }

    /** @return the fuel credit so far: fuel the VM's runs have used, each unit once (for tests) */
    long spent() {
        return spent.get();
    }

    /** @return generations started so far, whether or not they made a class (what the fuel credit counts) */
    synchronized int generations() {
        return generated;
    }

    /** @return bytes of class files defined so far */
    synchronized long classBytes() {
        return classBytes;
    }

    /**
     * @param func a function id
     * @return whether it is known never to get a method (so callers hand over without a call site)
     */
    synchronized boolean failed(int func) {
        return state[func] == FAILED;
    }

    /**
     * The call site that compiled code calls {@code func} through: its target is the method once
     * there is one, until then {@link JitRuntime#lazy}, bound to this tier and {@code func}.
     */
    synchronized MutableCallSite site(int func) {
        MutableCallSite s = sites[func];
        if (s == null) {
            MethodHandle h = handles[func];
            s = new MutableCallSite(h != null ? h : MethodHandles.insertArguments(lazy(), 0, this, func));
            sites[func] = s;
        }
        return s;
    }

    /** the inline caches of the {@code call.indirect} sites of the classes generated so far */
    private final List<IndirectSite> indirectSites = new java.util.ArrayList<>();

    /**
     * A new inline cache for one {@code call.indirect} instruction of a class being generated
     * (one per site and class: their number is bounded by the classes' budgets).
     */
    synchronized IndirectSite indirectSite() {
        // its initialiser (the cache's method handles), up front on ClassInit's thread, only for a
        // program that has such a site (most first runs have none)
        ClassInit.indirect();
        IndirectSite s = new IndirectSite();
        indirectSites.add(s);
        return s;
    }

    /** @return the inline caches made so far, in the order they were made (for tests) */
    synchronized List<IndirectSite> indirectSites() {
        return List.copyOf(indirectSites);
    }

    /** @param credit fuel used so far that pays for classes past the free ones */
    private synchronized MethodHandle compile(int func, long credit) {
        MethodHandle h = handles[func];
        if (h != null || state[func] == FAILED) {
            return h;
        }
        if (exhausted || vm.funcs[func].codeLength() > MAX_CODE_INTS) {
            state[func] = FAILED;
            return null;
        }
        try {
            // the generated code calls JitRuntime: a class it cannot load would fail a compiled run
            // (with an OutOfMemoryError, a trap the interpreter does not raise) rather than this compile
            lazy();
            Shape key = shapeOf[func];
            if (key == null) {
                key = new Shape(vm, func);
                shapeOf[func] = key;
            }
            Object known = shapes.get(key);
            if (known == null) {
                long past = generated - (long) budget.freeClasses() + 1;
                if (past > 0 && credit / past < budget.fuelPerClass()) {
                    return null; // not yet: the runs have not used enough fuel for another class
                }
                known = define(func);
                if (known == null) {
                    return null; // a passing condition (the Java stack): try again later
                }
                shapes.put(key, known);
            }
            if (!(known instanceof Made made)) {
                state[func] = FAILED;
                return null;
            }
            MethodHandle m = made.handle();
            points[func] = made.points();
            MutableCallSite s = sites[func];
            if (s != null) {
                s.setTarget(m);
            }
            handles[func] = m;
            state[func] = COMPILED;
            return m;
        } catch (StackOverflowError e) {
            // where this compile ran, the thread's stack was short: a later call may compile it
            return null;
        } catch (OutOfMemoryError e) {
            // most likely metaspace: stop compiling for this VM
            exhausted = true;
            state[func] = FAILED;
            return null;
        } catch (RuntimeException | VirtualMachineError | LinkageError e) {
            state[func] = FAILED;
            return null;
        }
    }

    /**
     * Generates and defines the method of {@code func}'s shape.
     *
     * @return its {@link Made}, {@link Boolean#FALSE} when it cannot have one (too large, over the
     *     budget, refused by the JVM, a compiler bug), or null when the stack ran short
     */
    private Object define(int func) {
        if (classes >= budget.maxClasses() || classBytes >= budget.maxTotalBytes()) {
            return Boolean.FALSE;
        }
        CompileEvent event = TapeEvents.compileBegin();
        Object made = generateAndDefine(func);
        TapeEvents.compileEnd(event, func, vm.verified.functionName(func), lastClassBytes, made instanceof Made);
        return made;
    }

    /** the size of the class {@link #generateAndDefine} last generated, 0 when none, for the JFR event */
    private int lastClassBytes;

    private Object generateAndDefine(int func) {
        lastClassBytes = 0;
        generated++;
        Generated g = codegen.generate(view, func);
        if (g == null) {
            return Boolean.FALSE;
        }
        lastClassBytes = g.bytes().length;
        int len = g.bytes().length;
        if (len > budget.maxClassBytes() || classBytes + len > budget.maxTotalBytes()) {
            return Boolean.FALSE;
        }
        // counted before the JVM sees it: a class the JVM refuses half way may still have cost it
        classes++;
        classBytes += len;
        try {
            MethodHandles.Lookup l = definer.define(g.bytes(), g.links());
            return new Made(l.findStatic(l.lookupClass(), g.method(), TYPE), g.points());
        } catch (StackOverflowError e) {
            return null;
        } catch (OutOfMemoryError e) {
            exhausted = true;
            return Boolean.FALSE;
        } catch (Throwable e) {
            if (e instanceof ThreadDeath t) {
                throw t;
            }
            return Boolean.FALSE;
        }
    }

    private static int maxResults(Vm vm) {
        int max = 0;
        for (var fn : vm.program.functions()) {
            max = Math.max(max, fn.sig().rets().size());
        }
        for (var cs : vm.program.callSigs()) {
            max = Math.max(max, cs.rets().size());
        }
        return max;
    }

    /**
     * @return -1, 0 or 1 as the shape of function {@code a} orders before, equal to or after that of
     *     {@code b} (for tests)
     */
    static int shapeOrder(Vm vm, int a, int b) {
        return Integer.signum(new Shape(vm, a).compareTo(new Shape(vm, b)));
    }

    /**
     * What decides a function's generated method apart from its id: its lowered code (function
     * relative: targets, constant and tag indices are relocated only in the image, and the method
     * reads those at run time), which code indices start an instruction, its register types and
     * argument count, and whether it returns its result as the method's value. Function-table
     * rows that share a code blob and signature have equal shapes.
     *
     * <p>Shapes are {@link Comparable} (a total order consistent with {@link #equals}), so the
     * shape map's bins of colliding hashes become trees that {@link HashMap} searches in
     * O(log n) comparisons, each at most the two functions' code length ({@link JitTier#MAX_CODE_INTS}
     * ints). The hash itself is cheap and a program can collide it at will: with
     * {@code Arrays.hashCode}, a constant pair such as (k + 1, m - 31) for (k, m) gives distinct
     * functions one hash, and before this order every compile compared its code with every
     * earlier colliding function's ({@code AuditShapeHashTest}, {@code AttackShapeTypesTest}). A
     * digest (SHA-256) served the same end for one round, but loading the JCA for it cost a cold
     * {@code tape run} about 12 ms of CPU.
     */
    private static final class Shape implements Comparable<Shape> {
        private final LoweredFunction fn;
        private final boolean direct;
        private final int hash;

        Shape(Vm vm, int func) {
            this.fn = vm.funcs[func];
            this.direct = direct(vm.program.functions().get(func).sig().rets());
            int h = Arrays.hashCode(fn.code());
            h = 31 * h + Arrays.hashCode(fn.pcOf());
            h = 31 * h + fn.regCount();
            h = 31 * h + fn.argCount();
            this.hash = 31 * h + (direct ? 1 : 0);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && compareTo(s) == 0;
        }

        /**
         * Orders shapes by result passing, counts, code, instruction starts and register types, in
         * that order: zero exactly when {@link #equals} holds.
         */
        @Override
        public int compareTo(Shape s) {
            int c = Boolean.compare(direct, s.direct);
            LoweredFunction a = fn;
            LoweredFunction b = s.fn;
            if (c != 0 || a == b) {
                return c;
            }
            c = Integer.compare(a.regCount(), b.regCount());
            if (c == 0) {
                c = Integer.compare(a.argCount(), b.argCount());
            }
            if (c == 0) {
                c = Arrays.compare(a.code(), b.code());
            }
            if (c == 0) {
                c = Arrays.compare(a.pcOf(), b.pcOf());
            }
            for (int r = 0; c == 0 && r < a.regCount(); r++) {
                c = compare(a.regType(r), b.regType(r));
            }
            return c;
        }

        /** Orders register types: none first, then by kind, then by host type. */
        private static int compare(ValueType x, ValueType y) {
            if (x == null || y == null) {
                return x == y ? 0 : x == null ? -1 : 1;
            }
            int c = Integer.compare(x.kind().ordinal(), y.kind().ordinal());
            return c != 0 ? c : Long.compare(x.hostType(), y.hostType());
        }
    }
}
