package dev.tape.vm.internal;

/**
 * Initialises tape's classes that have static initialisers once per class loader, up front, on a
 * short-lived thread of its own with a full stack ({@link #STACK_BYTES}), while the caller waits: so
 * that no initialiser runs on an embedder's thread that may be deep in its own recursion. An
 * initialiser that fails (a {@link StackOverflowError} in it, or in the JVM's call of it, when the
 * calling thread has almost no stack left) leaves its class erroneous for good: every later use in
 * that class loader throws {@code NoClassDefFoundError: Could not initialize class}, whatever the
 * stack. Not API (see the package comment).
 *
 * <p>The entries an embedder's first call goes through call {@link #core()} before anything else:
 * {@code ProgramDecoder.decode}, the {@code Program} constructor (which every other way of making a
 * program, and so every verifier, VM, run and snapshot, comes after), {@code ProgramBuilder}'s
 * constructor and the assembler's and disassembler's entries ({@link #tools()}), and
 * {@code Jit.compile} ({@link #initialise}, tape-jit's list). None of those classes has a static
 * initialiser of its own, so nothing of tape's runs on the caller's thread before the call. The
 * lists hold, by name, every class of tape-core with a static initialiser (tape-jit's are tape-jit's
 * {@code ClassInitList}), less a justified few; {@code ClassInitGuardTest} keeps them complete.
 *
 * <p><b>No deadlock</b>: the caller waits for the thread, so it must hold no class initialisation
 * lock the thread may need, that is it must not be inside a static initialiser of a listed class:
 * none of them makes a program, decodes, assembles or compiles. A call from the thread itself (a
 * listed class's initialiser that made a program) returns at once. The caller waits even when it is
 * interrupted (then it keeps its interrupt status): initialising classes beside the thread could
 * deadlock with it. When no thread can be had (no memory), it returns, with the classes left to
 * initialise where they are first used, and the next entry tries again; when the caller has too
 * little stack left to start the thread or wait for it, it throws the {@link StackOverflowError}, so
 * that the caller's call fails before it initialises anything itself. This class has no static
 * initialiser (its lists are compile-time constants, its flags start false).
 */
public final class ClassInit {
    private ClassInit() {}

    /** the stack of the initialising thread, in bytes: far more than any initialiser here needs */
    public static final long STACK_BYTES = 1 << 20;

    /** the name of the initialising thread */
    public static final String THREAD_NAME = "tape-class-init";

    /**
     * tape-core's classes with static initialisers that decoding, verifying, making a VM (and a
     * host, a stack sampler), running it on either tier, pausing, resuming, snapshotting and
     * restoring use, in an order that initialises each one's dependencies first; space-separated
     * binary names
     */
    public static final String CORE = "dev.tape.program.ValueKind dev.tape.program.ValueType "
            + "dev.tape.program.ValueType$1 dev.tape.format.Opcode dev.tape.format.OperandKind "
            + "dev.tape.format.OperandEncoding dev.tape.format.Access dev.tape.format.OperandClass "
            + "dev.tape.format.Instruction$1 dev.tape.format.InstructionCodec dev.tape.format.InstructionCodec$1 "
            + "dev.tape.program.TypeTable dev.tape.program.Names dev.tape.program.SectionTag "
            + "dev.tape.program.DecoderTables dev.tape.program.HostSig dev.tape.format.ByteReader "
            + "dev.tape.verify.Verifier dev.tape.verify.Lowerer dev.tape.value.ValueInternals "
            + "dev.tape.format.DecodedCode dev.tape.verify.ControlFlow dev.tape.format.DecodedCode$1 "
            + "dev.tape.verify.Verifier$1 dev.tape.verify.RegClassCheck dev.tape.verify.TypeChecker "
            + "dev.tape.verify.TypeChecker$1 dev.tape.verify.Lowerer$1 dev.tape.verify.internal.SpanIndex "
            + "dev.tape.verify.VerifiedProgram dev.tape.host.Host dev.tape.host.HostRegistry dev.tape.host.ConformanceHost "
            + "dev.tape.host.HostRecording dev.tape.vm.VmOptions dev.tape.value.Value dev.tape.value.Value$Bool "
            + "dev.tape.value.Value$Str dev.tape.vm.Limits dev.tape.trace.TraceMask dev.tape.vm.ExecutionContext "
            + "dev.tape.vm.TrapKind dev.tape.vm.LinkException$Reason dev.tape.vm.LinkException$1 "
            + "dev.tape.vm.Vm dev.tape.vm.Numerics dev.tape.vm.Interpreter dev.tape.vm.Calls dev.tape.vm.Texts "
            + "dev.tape.value.Aggregate$Kind dev.tape.value.Aggregate$1 dev.tape.value.LiteralWriter "
            + "dev.tape.value.LiteralWriter$1 dev.tape.vm.Run dev.tape.vm.Run$Deadlines dev.tape.vm.Snapshots "
            + "dev.tape.vm.Snapshots$ValueIds dev.tape.vm.Snapshots$1 dev.tape.vm.SnapshotReader$1 "
            + "dev.tape.vm.StackSampler$Where";

    /** the compiled tier's runtime classes of tape-core with static initialisers (see {@link #CORE}) */
    public static final String JIT = "dev.tape.vm.JitAccess dev.tape.vm.JitTier$Budget dev.tape.vm.JitTier "
            + "dev.tape.vm.JitRuntime dev.tape.vm.JitRuntime$Unwind dev.tape.vm.IndirectSite";

    /** the assembler's, disassembler's and builders' classes with static initialisers (see {@link #CORE}) */
    public static final String TOOLS = "dev.tape.asm.AsmValues dev.tape.asm.AsmParser$1 dev.tape.asm.LineTable "
            + "dev.tape.asm.Disassembler$1 dev.tape.program.ProgramBuilder$1 dev.tape.program.FunctionBuilder$1";

    /** set once {@link #CORE}'s thread has run */
    private static volatile boolean coreDone;
    /** set once {@link #TOOLS}'s thread has run */
    private static volatile boolean toolsDone;

    /**
     * Initialises {@link #CORE}'s classes the first time it is called in this class loader (and
     * again after a call that could not start its thread).
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void core() {
        if (!coreDone) {
            coreDone = initialise(CORE, ClassInit.class.getClassLoader());
        }
    }

    /**
     * {@link #core()}, then the same for {@link #TOOLS}.
     *
     * @throws StackOverflowError as {@link #initialise}
     */
    public static void tools() {
        core();
        if (!toolsDone) {
            toolsDone = initialise(TOOLS, ClassInit.class.getClassLoader());
        }
    }

    /**
     * Initialises the named classes, in order, on a new thread of {@link #STACK_BYTES} of stack, and
     * waits for it. A class that is missing or whose initialiser fails there is skipped (its first
     * use reports it, as without this). Returns at once, doing nothing, on the initialising thread
     * itself.
     *
     * @param names space-separated binary names
     * @param loader the class loader to initialise them in
     * @return whether the thread ran (false when none could be started, or on the thread itself)
     * @throws StackOverflowError when the calling thread has too little stack left to start the thread
     *     or wait for it (after the thread has ended, if it started): the caller's call fails before it
     *     initialises any class itself
     */
    public static boolean initialise(String names, ClassLoader loader) {
        Initialiser t = null;
        try {
            if (Thread.currentThread() instanceof Initialiser) {
                return false;
            }
            t = new Initialiser(names, loader);
            t.setDaemon(true);
            t.start();
            // wait even when interrupted: initialising beside the thread could deadlock with it
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return true;
        } catch (StackOverflowError e) {
            // no stack to start the thread or wait for it: wait in this frame, which has the stack
            // join's call had, then fail the caller's call before it initialises anything itself
            while (t != null && t.isAlive()) {
                Thread.onSpinWait();
            }
            throw e;
        } catch (Throwable e) {
            // no thread to be had (no memory): the next entry tries again
            return false;
        }
    }

    /**
     * The initialising thread: initialises each named class in turn, one such thread at a time (of
     * this class loader); never lets a failure out.
     */
    private static final class Initialiser extends Thread {
        private final String names;
        private final ClassLoader loader;

        Initialiser(String names, ClassLoader loader) {
            super(null, null, THREAD_NAME, STACK_BYTES);
            this.names = names;
            this.loader = loader;
        }

        @Override
        public void run() {
            // one initialising thread at a time: two could deadlock on a cycle of initialisers
            synchronized (Initialiser.class) {
                initialiseAll();
            }
        }

        private void initialiseAll() {
            int from = 0;
            while (from < names.length()) {
                int end = names.indexOf(' ', from);
                if (end < 0) {
                    end = names.length();
                }
                try {
                    Class.forName(names.substring(from, end), true, loader);
                } catch (Throwable e) {
                    // missing or failed: its first use reports it, as it would have without this thread
                }
                from = end + 1;
            }
        }
    }
}
