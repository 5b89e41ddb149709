package dev.tape.vm;

/**
 * Reads which functions a compiled run of one {@link Vm} is in from a Java stack trace of the thread
 * that runs it, taken from another thread: the basis of a sampling (wall-time) profiler. It costs
 * the run nothing.
 *
 * <p><b>Why the Java stack.</b> Compiled code keeps the run's position in JVM locals, not in its
 * {@link ExecutionContext}: a compiled direct call writes neither its caller's frame record (that
 * is written only if a trap, pause or hand-over unwinds through the call), the new depth nor the
 * callee, and a return writes nothing, so the context's records are stale and the current depth is
 * unknown while compiled code runs. The interpreter too keeps its depth and position in locals between its stops. What is
 * always current is the thread's Java stack: every compiled function is a method {@code f<id>} of
 * a hidden class {@code dev.tape.vm.JitCode}, one Java frame per compiled frame (inlined ones
 * included) in a VM from tape-jit's {@code Jit.compileFramed}. (A VM from {@code Jit.compile} runs
 * calls of small leaf functions, and of small functions that loop over an array their caller
 * keeps out of the heap, inline in their caller's method, with no frame of their own: their time,
 * a whole loop's included, is read as their caller's; and, in a one-shot {@code Vm.run}, calls of
 * pure word functions in their fast clones, methods {@code fast<id>} of the same class, read as
 * function {@code id}.) {@link #read} reads those frames from the outermost inwards, up to the first host call
 * (a host function, and any run it starts, are not part of this run's stack).
 *
 * <p><b>Taking the stack.</b> The frames of hidden classes must be in it: take it with
 * {@code ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId(), Integer.MAX_VALUE)
 * .getStackTrace()} (module {@code java.management}). {@link Thread#getStackTrace()} leaves them
 * out on JDK 19 and later, and on every JDK when a thread takes its own.
 *
 * <p><b>A racy sample.</b> The JVM takes the stack at a safepoint, so samples lean towards the
 * places compiled code polls for one (calls, returns, loop back-edges): good enough to say which
 * functions the time goes to, not which instructions. Functions whose code and signature are
 * equal share one compiled method; their samples name the function it was compiled for.
 *
 * <p>A reader keeps the last stack's {@link #where()}, so it is for one thread at a time;
 * {@link #read} never throws for any stack (null, empty, with null elements or frames of anything
 * else), and reports only function ids within the program.
 *
 * <p><b>Only the thread's outermost run.</b> A frame names a function id, not the VM it belongs
 * to, and the reading stops at the first host call. So the run read is the outermost one on the
 * thread: when the thread runs this VM's run inside a host function of another run (of this VM or
 * any other), {@link #read} gives the outer run's compiled frames (their ids, cut to this VM's
 * function count, which may name other functions of this program) and {@link Where#HOST}, not the
 * nested run's. Sample a nested run with a sampler of the outermost run's VM, as {@code tape
 * profile}, whose runs are never nested, does.
 */
public final class StackSampler {
    /** What the sampled thread was doing. */
    public enum Where {
        /** running compiled code of this run: the ids are its compiled frames */
        COMPILED,
        /** in a host function called by this run: the ids are the frames that called it */
        HOST,
        /**
         * interpreting (a function that has no compiled method, or a run handed to the interpreter):
         * the ids are the compiled frames below the interpreter, if any; the interpreted frames are
         * not known
         */
        INTERPRETED,
        /** compiling a function for this run: the ids are the frames that called it */
        COMPILING,
        /** in none of these: not in a run, or between its steps (setting up, building results) */
        OUTSIDE
    }

    private static final String PACKAGE = "dev.tape.vm.";
    private static final String COMPILED_CLASS = PACKAGE + "JitCode";
    private static final String INTERPRETER = PACKAGE + "Interpreter";
    private static final String CALLS = PACKAGE + "Calls";
    private static final String TIER = PACKAGE + "JitTier";

    private final int functions;
    private Where where = Where.OUTSIDE;

    /**
     * Makes a sampler of the runs of one VM.
     *
     * @param vm the VM whose runs are read (its function count bounds the ids reported)
     * @throws IllegalArgumentException when the VM is null
     */
    public StackSampler(Vm vm) {
        if (vm == null) {
            throw new IllegalArgumentException("the VM is null");
        }
        this.functions = vm.funcs.length;
    }

    /**
     * What the sampled thread was doing when last read.
     *
     * @return what the thread was doing in the last stack {@link #read} ({@link Where#OUTSIDE} before the first)
     */
    public Where where() {
        return where;
    }

    /**
     * Reads one sample of a run: the function ids of the compiled frames in a Java stack trace of
     * the thread that runs it, outermost (the entry) first, written to {@code out} from index 0.
     * Frames past {@code out.length} are counted but not written. Each id is in
     * {@code [0, functions)} of the VM's program; a frame that does not name one is skipped. Sets
     * {@link #where()}.
     *
     * @param stack the thread's stack trace, innermost frame first (as the JVM gives it); null or
     *     empty when there is none, and null elements are skipped
     * @param out where the ids go; may be empty
     * @return the number of compiled frames found, 0 or more (more than {@code out.length} when
     *     the stack was deeper)
     * @throws IllegalArgumentException when {@code out} is null
     */
    public int read(StackTraceElement[] stack, int[] out) {
        if (out == null) {
            throw new IllegalArgumentException("the id array is null");
        }
        where = Where.OUTSIDE;
        return stack == null ? 0 : scan(stack, out);
    }

    private int scan(StackTraceElement[] stack, int[] out) {
        int n = 0;
        Where w = Where.OUTSIDE;
        for (int i = stack.length - 1; i >= 0; i--) {
            StackTraceElement e = stack[i];
            String cls = e == null ? null : e.getClassName();
            if (cls == null || !cls.startsWith(PACKAGE)) {
                continue;
            }
            if (cls.startsWith(COMPILED_CLASS)) {
                int id = functionId(e.getMethodName());
                if (id >= 0) {
                    if (n < out.length) {
                        out[n] = id;
                    }
                    n++;
                    w = Where.COMPILED;
                }
            } else if (cls.equals(CALLS) && "invoke".equals(e.getMethodName())) {
                w = Where.HOST;
                break;
            } else if (cls.equals(INTERPRETER)) {
                w = Where.INTERPRETED;
                break;
            } else if (cls.equals(TIER) && "compile".equals(e.getMethodName())) {
                w = Where.COMPILING;
                break;
            }
        }
        where = w;
        return n;
    }

    /**
     * @return the id in a compiled method's name {@code f<id>}, or in a fast clone's
     *     {@code fast<id>} (tape-jit's {@code FastClone}: the same function, run without frame
     *     records), or -1 when it names no function
     */
    private int functionId(String method) {
        int from = method != null && method.startsWith("fast") ? 4 : 1;
        if (method == null || method.length() < from + 1 || method.length() > from + 10 || method.charAt(0) != 'f') {
            return -1;
        }
        long id = 0;
        for (int i = from; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id < functions ? (int) id : -1;
    }
}
