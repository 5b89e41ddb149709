package dev.tape.classinit;

/**
 * Initialises tape's classes that have static initialisers once per class loader, up front, on a
 * thread of its own with a full stack ({@link #STACK_BYTES}), while the caller waits: so
 * that no initialiser runs on an embedder's thread that may be deep in its own recursion. An
 * initialiser that fails (a {@link StackOverflowError} in it, or in the JVM's call of it, when the
 * calling thread has almost no stack left) leaves its class erroneous for good: every later use in
 * that class loader throws {@code NoClassDefFoundError: Could not initialize class}, whatever the
 * stack. Not API (see the package comment).
 *
 * <p>The classes are in groups, each initialised when first needed, so that a VM initialises no
 * class it does not use: the classes of the entries an embedder's first call goes through have no
 * static initialiser of their own and start with the group's method: {@code ProgramDecoder.decode}
 * ({@link #decoder()}), the {@code Program} constructor ({@link #core()}: every verifier, VM and run
 * comes after a program), {@code ProgramBuilder}'s constructor ({@link #builder()}), the assembler
 * and disassembler ({@link #assembler()}, {@link #disassembler()}), {@code Vm.start} and
 * {@code Vm.restore} ({@link #runs()}), the interpreter's loops ({@link #interpreter()}), and
 * tape-jit's {@code Jit.compile} and code generator ({@link #initialise} with {@link #JIT},
 * {@link #JIT_CODE} and its own lists), and the generator's first {@code call.indirect} site
 * ({@link #indirect()}). Nothing of tape's with a static initialiser runs on the
 * caller's thread before its group's method. The lists hold, by name, every class of tape-core with
 * a static initialiser (tape-jit's are in its {@code ClassInitList}), less a justified few;
 * {@code ClassInitGuardTest} keeps them complete.
 *
 * <p><b>No deadlock</b>: the caller waits for the thread, so it must hold no class initialisation
 * lock the thread may need, that is it must not be inside a static initialiser of a listed class:
 * none of them makes a program, decodes, assembles or compiles. A call from the thread itself (a
 * listed class's initialiser that made a program) returns at once. The caller waits even when it is
 * interrupted (then it keeps its interrupt status): initialising classes beside the thread could
 * deadlock with it. When no thread can be had (no memory, a thread limit), it returns, with the
 * classes left to initialise where they are first used, and the next entry tries again, up to
 * {@link #MAX_FAILED_STARTS} failed starts in the class loader: then tape stops trying (each start
 * costs a system call, and the JVM prints warnings for it), and every class initialises where it is
 * first used, as without this class. When the caller has too
 * little stack left to start the thread or wait for it, it throws the {@link StackOverflowError}, so
 * that the caller's call fails before it initialises anything itself. This class has no static
 * initialiser (its lists are compile-time constants, its flags start false).
 */
public final class ClassInit {
    private ClassInit() {}

    /** the stack of the initialising thread, in bytes: far more than any initialiser here needs */
    public static final long STACK_BYTES = 1 << 20;

    /**
     * how long the initialising thread waits for another call's classes before it ends, in ms: the
     * groups of a first run come within a few ms of each other
     */
    public static final long IDLE_MILLIS = 1000;

    /** the name of the initialising thread */
    public static final String THREAD_NAME = "tape-class-init";

    /**
     * the failed starts of the initialising thread (no thread to be had) after which no entry in the
     * class loader tries again: its classes initialise where they are first used
     */
    public static final int MAX_FAILED_STARTS = 4;

    /**
     * tape-core's classes with static initialisers that verifying a program and making and running
     * a VM use on either tier (compiled code calls {@code Numerics}, {@code Calls}, {@code Texts}),
     * and cheap ones an embedder may use with them (hosts, values, traces), in an order
     * that initialises each one's dependencies first; space-separated binary names. Initialised by
     * {@link #core()}.
     */
    public static final String CORE = "dev.tape.program.ValueKind dev.tape.program.ValueType "
            + "dev.tape.program.ValueType$1 dev.tape.format.Opcode dev.tape.format.OperandKind "
            + "dev.tape.format.OperandEncoding dev.tape.format.Access dev.tape.format.OperandClass "
            + "dev.tape.format.Instruction$1 dev.tape.format.InstructionCodec dev.tape.format.InstructionCodec$1 "
            + "dev.tape.program.TypeTable dev.tape.program.Names dev.tape.program.HostSig dev.tape.format.ByteReader "
            + "dev.tape.verify.Verifier dev.tape.verify.Lowerer dev.tape.value.ValueInternals "
            + "dev.tape.format.DecodedCode dev.tape.verify.ControlFlow dev.tape.format.DecodedCode$1 "
            + "dev.tape.verify.Verifier$1 dev.tape.verify.RegClassCheck dev.tape.verify.TypeChecker "
            + "dev.tape.verify.TypeChecker$1 dev.tape.verify.MustInit$1 dev.tape.verify.Lowerer$1 dev.tape.verify.internal.SpanIndex "
            + "dev.tape.verify.internal.LOp "
            + "dev.tape.verify.VerifiedProgram dev.tape.host.Host dev.tape.host.HostRegistry "
            + "dev.tape.host.ConformanceHost dev.tape.host.HostRecording dev.tape.vm.VmOptions dev.tape.value.Value "
            + "dev.tape.value.Value$Bool dev.tape.value.Value$Str dev.tape.vm.Limits dev.tape.trace.TraceMask "
            + "dev.tape.vm.ExecutionContext dev.tape.vm.TrapKind dev.tape.vm.LinkException$Reason "
            + "dev.tape.vm.LinkException$1 dev.tape.vm.Vm dev.tape.vm.Texts dev.tape.vm.Numerics dev.tape.vm.Calls "
            + "dev.tape.value.Aggregate$Kind "
            + "dev.tape.value.Aggregate$1 dev.tape.value.LiteralWriter dev.tape.value.LiteralWriter$1 "
            + "dev.tape.vm.StackSampler$Where";

    /** the decoder's (see {@link #CORE}); initialised by {@link #decoder()} */
    public static final String DECODER = "dev.tape.program.SectionTag dev.tape.program.DecoderTables";

    /** the interpreter's (see {@link #CORE}); initialised by {@link #interpreter()} */
    public static final String INTERPRETER = "dev.tape.vm.Interpreter dev.tape.vm.ClosureLoop";

    /** those of resumable runs and snapshots (see {@link #CORE}); initialised by {@link #runs()} */
    public static final String RUNS = "dev.tape.vm.Run dev.tape.vm.RunPauses dev.tape.vm.RunPauses$Deadlines "
            + "dev.tape.vm.Snapshots dev.tape.vm.Snapshots$1 dev.tape.vm.SnapshotReader$1";

    /**
     * the compiled tier's runtime's that making a compiled-tier VM uses (see {@link #CORE}); tape-jit
     * initialises them, with its own ({@code ClassInitList})
     */
    public static final String JIT = "dev.tape.vm.JitAccess dev.tape.vm.JitTier$Budget dev.tape.vm.JitTier "
            + "dev.tape.vm.JitRuntime";

    /** the compiled tier's runtime's that compiled code uses (see {@link #JIT}) */
    public static final String JIT_CODE = "dev.tape.vm.JitRuntime$Unwind dev.tape.vm.JitRuntime$Bail";

    /**
     * the inline cache of compiled {@code call.indirect} instructions (see {@link #CORE}), whose
     * initialiser spins method-handle forms that a program without such an instruction never needs;
     * initialised by {@link #indirect()}
     */
    public static final String INDIRECT = "dev.tape.vm.IndirectSite";

    /** the program builders' (see {@link #CORE}); initialised by {@link #builder()} */
    public static final String BUILDER = "dev.tape.program.ProgramBuilder$1 dev.tape.program.FunctionBuilder$1";

    /** the assembler's (see {@link #CORE}); initialised by {@link #assembler()} */
    public static final String ASSEMBLER = "dev.tape.asm.AsmValues dev.tape.asm.AsmParser$1 dev.tape.asm.LineTable";

    /** the disassembler's (see {@link #CORE}); initialised by {@link #disassembler()} */
    public static final String DISASSEMBLER = "dev.tape.asm.Disassembler$1";

    /**
     * tape's JFR event classes (see {@link #CORE}), loaded and initialised by {@link #events()} once
     * JFR is initialised: JFR instruments and registers an event class on the thread that loads it,
     * and one loaded with no stack left for that stays unregistered for good (every event of it
     * throws {@code IllegalStateException: Event class ... is not registered}). They have no static
     * initialiser of their own; JFR's instrumentation may add one.
     */
    public static final String EVENTS = "dev.tape.jfr.RunPlaceEvent dev.tape.jfr.RunEvent dev.tape.jfr.TrapEvent "
            + "dev.tape.jfr.HostCallEvent dev.tape.jfr.CompileEvent dev.tape.jfr.PauseEvent dev.tape.jfr.ResumeEvent";

    /** set once {@link #CORE}'s thread has run */
    private static volatile boolean coreDone;
    /** set once {@link #DECODER}'s thread has run */
    private static volatile boolean decoderDone;
    /** set once {@link #INTERPRETER}'s thread has run */
    private static volatile boolean interpreterDone;
    /** set once {@link #RUNS}'s thread has run */
    private static volatile boolean runsDone;
    /** set once {@link #BUILDER}'s thread has run */
    private static volatile boolean builderDone;
    /** set once {@link #ASSEMBLER}'s thread has run */
    private static volatile boolean assemblerDone;
    /** set once {@link #DISASSEMBLER}'s thread has run */
    private static volatile boolean disassemblerDone;
    /** set once {@link #INDIRECT}'s thread has run */
    private static volatile boolean indirectDone;
    /** set once {@link #EVENTS}'s thread has run */
    private static volatile boolean eventsDone;

    /**
     * Initialises {@link #CORE}'s classes the first time it is called in this class loader (and
     * again after a call that could not start its thread); then does nothing (one volatile read).
     * From {@code Program}'s constructor, before anything that needs a program.
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void core() {
        if (!coreDone && initialise(ClassInit.class, CORE)) {
            coreDone = true;
        }
    }

    /**
     * {@link #core()} and the same for {@link #DECODER}, on one thread (from
     * {@code ProgramDecoder.decode}).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void decoder() {
        if (!decoderDone && initialise(ClassInit.class, coreDone ? "" : CORE, DECODER)) {
            coreDone = true;
            decoderDone = true;
        }
    }

    /**
     * The same for {@link #INTERPRETER} (before a run's interpreter loop, on either tier).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void interpreter() {
        if (!interpreterDone && initialise(ClassInit.class, INTERPRETER)) {
            interpreterDone = true;
        }
    }

    /**
     * The same for {@link #RUNS} (from {@code Vm.start} and {@code Vm.restore}).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void runs() {
        if (!runsDone && initialise(ClassInit.class, RUNS)) {
            runsDone = true;
        }
    }

    /**
     * {@link #core()} and the same for {@link #BUILDER}, on one thread (from {@code ProgramBuilder}'s
     * constructor).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void builder() {
        if (!builderDone && initialise(ClassInit.class, coreDone ? "" : CORE, BUILDER)) {
            coreDone = true;
            builderDone = true;
        }
    }

    /**
     * {@link #builder()} and the same for {@link #ASSEMBLER}, on one thread (from the assembler's
     * entries).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void assembler() {
        if (!assemblerDone && initialise(ClassInit.class, coreDone ? "" : CORE, builderDone ? "" : BUILDER, ASSEMBLER)) {
            coreDone = true;
            builderDone = true;
            assemblerDone = true;
        }
    }

    /**
     * The same for {@link #DISASSEMBLER} (from the disassembler's entry).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void disassembler() {
        if (!disassemblerDone && initialise(ClassInit.class, DISASSEMBLER)) {
            disassemblerDone = true;
        }
    }

    /**
     * The same for {@link #INDIRECT} (from {@code JitTier}, before the generator's first
     * {@code call.indirect} site).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void indirect() {
        if (!indirectDone && initialise(ClassInit.class, INDIRECT)) {
            indirectDone = true;
        }
    }

    /**
     * The same for {@link #EVENTS} (from {@code TapeEvents}' hooks, once JFR is initialised, before
     * they make an event).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void events() {
        if (!eventsDone && initialise(ClassInit.class, EVENTS)) {
            eventsDone = true;
        }
    }

    /**
     * the initialising thread while it lives (between its start and its idle end), else null: read to
     * refuse a call from it; written under the lock of {@code ClassInit.class}
     */
    private static volatile Thread running;

    /** the first of the queued jobs, oldest first (under the lock of {@code ClassInit.class}) */
    private static Job queued;

    /** the last of the queued jobs (under the lock of {@code ClassInit.class}) */
    private static Job lastQueued;

    /** the tickets handed out so far, one per job (under the lock of {@code ClassInit.class}) */
    private static long submitted;

    /**
     * the tickets of the jobs done so far: the jobs are done in ticket order (written under the lock
     * of {@code ClassInit.class}; volatile for the wait of a caller out of stack)
     */
    private static volatile long finished;

    /**
     * the starts of the initialising thread that failed in this class loader (racy increments: a lost
     * one costs one more try)
     */
    private static volatile int failedStarts;

    /**
     * for tests (set by reflection in a class loader of their own): when true, every start of the
     * initialising thread fails with the {@link OutOfMemoryError} the JVM throws when it cannot
     * create a native thread
     */
    private static volatile boolean refuseThreadsForTest;
    /** for tests: the starts {@link #refuseThreadsForTest} refused */
    private static volatile int refusedForTest;

    /** One call's classes, queued for the initialising thread (no static initialiser). */
    private static final class Job {
        /** the class loader to initialise them in */
        final ClassLoader loader;
        /** lists of space-separated binary names */
        final String[] lists;
        /** the job queued after this one, or null */
        Job next;

        Job(ClassLoader loader, String[] lists) {
            this.loader = loader;
            this.lists = lists;
        }
    }

    /**
     * Initialises the named classes, in order, on the initialising thread ({@link #THREAD_NAME}, a
     * daemon of {@link #STACK_BYTES} of stack), and waits for it. The thread is started by the first
     * call and serves later calls (in the order they come) until it has been idle for
     * {@link #IDLE_MILLIS}; then it ends and the next call starts another: so the groups of a first
     * run cost one thread start, and each group after the first a wake-up of a waiting thread rather
     * than a new thread, which a loaded machine's scheduler runs later. A class that is missing or
     * whose initialiser fails there is skipped (its first use reports it, as without this). Returns at
     * once, doing nothing, on the initialising thread itself. One such thread runs at a time (two
     * could deadlock on a cycle of initialisers).
     *
     * @param anchor a class whose class loader the classes are initialised in
     * @param lists lists of space-separated binary names (empty ones allowed)
     * @return whether the thread ran them, or need not be tried again: after the
     *     {@link #MAX_FAILED_STARTS}th start that failed (then the classes initialise where first
     *     used); false on the thread itself, and when no thread could be started before that
     * @throws StackOverflowError when the calling thread has too little stack left to start the thread
     *     or wait for it (after the thread has done the job, if it was queued): the caller's call fails
     *     before it initialises any class itself
     */
    public static boolean initialise(Class<?> anchor, String... lists) {
        long ticket = 0;
        try {
            if (Thread.currentThread() == running) {
                return false;
            }
            if (failedStarts >= MAX_FAILED_STARTS) {
                // no thread to be had, time and again: stop trying (see the class comment)
                return true;
            }
            Job job = new Job(anchor.getClassLoader(), lists);
            boolean interrupted = false;
            synchronized (ClassInit.class) {
                if (running == null) {
                    // started before the job is queued: a start that fails leaves no job behind
                    running = startThread();
                }
                if (lastQueued == null) {
                    queued = job;
                } else {
                    lastQueued.next = job;
                }
                lastQueued = job;
                ticket = ++submitted;
                ClassInit.class.notifyAll();
                // wait even when interrupted: initialising beside the thread could deadlock with it
                while (finished < ticket) {
                    try {
                        ClassInit.class.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return true;
        } catch (StackOverflowError e) {
            // no stack to start the thread or wait for it: wait in this frame, which has the stack
            // the wait's call had, then fail the caller's call before it initialises anything itself
            while (ticket != 0 && finished < ticket) {
                Thread.onSpinWait();
            }
            throw e;
        } catch (Throwable e) {
            // no thread to be had (no memory, a thread limit): the next entry tries again, until
            // MAX_FAILED_STARTS starts have failed
            int failed = failedStarts + 1;
            failedStarts = failed;
            return failed >= MAX_FAILED_STARTS;
        }
    }

    /**
     * Starts the initialising thread (under the lock of {@code ClassInit.class}), with
     * tape-core's class loader as its context class loader and no inherited thread-local values.
     *
     * @return the started thread
     * @throws OutOfMemoryError when no thread can be had
     */
    private static Thread startThread() {
        // an anonymous class, not a lambda (no call site to link) nor a Thread subclass (no audit);
        // none of its first caller's InheritableThreadLocal values, nor its context class loader: it
        // serves every caller of the class loader for as long as calls keep coming
        Thread t = new Thread(null, new Runnable() {
            @Override
            public void run() {
                serve();
            }
        }, THREAD_NAME, STACK_BYTES, false);
        t.setDaemon(true);
        try {
            t.setContextClassLoader(ClassInit.class.getClassLoader());
        } catch (SecurityException e) {
            // not allowed here: the thread keeps its creator's
        }
        if (refuseThreadsForTest) {
            refusedForTest++;
            throw new OutOfMemoryError("unable to create native thread: refused by a test");
        }
        t.start();
        return t;
    }

    /**
     * The initialising thread's loop: does the queued jobs in turn, outside the lock, and ends after
     * {@link #IDLE_MILLIS} with none. However it ends (an error of its own, no memory), it marks every
     * queued job done, so no caller waits for good (their classes then initialise where first used).
     */
    private static void serve() {
        try {
            while (true) {
                Job job;
                synchronized (ClassInit.class) {
                    if (running != Thread.currentThread()) {
                        // not the initialising thread (its start's caller failed after start): do nothing
                        return;
                    }
                    if (queued == null) {
                        try {
                            ClassInit.class.wait(IDLE_MILLIS);
                        } catch (InterruptedException e) {
                            // not a request to end: callers may be waiting; look at the queue again
                            continue;
                        }
                        if (queued == null) {
                            // idle: end under the lock, so that the next call starts another thread
                            running = null;
                            return;
                        }
                    }
                    job = queued;
                    queued = job.next;
                    if (queued == null) {
                        lastQueued = null;
                    }
                }
                for (String list : job.lists) {
                    initialiseAll(list, job.loader);
                }
                synchronized (ClassInit.class) {
                    finished++;
                    ClassInit.class.notifyAll();
                }
            }
        } catch (Throwable e) {
            // an error of the thread's own (no memory): end, as below
        } finally {
            synchronized (ClassInit.class) {
                if (running == Thread.currentThread()) {
                    running = null;
                    queued = null;
                    lastQueued = null;
                    finished = submitted;
                    ClassInit.class.notifyAll();
                }
            }
        }
    }

    /** Initialises each class of a space-separated list in turn; a missing or failing one is skipped. */
    private static void initialiseAll(String names, ClassLoader loader) {
        int from = 0;
        while (from < names.length()) {
            int end = names.indexOf(' ', from);
            if (end < 0) {
                end = names.length();
            }
            if (end > from) {
                try {
                    Class.forName(names.substring(from, end), true, loader);
                } catch (Throwable e) {
                    // missing or failed: its first use reports it, as it would have without this thread
                }
            }
            from = end + 1;
        }
    }
}
