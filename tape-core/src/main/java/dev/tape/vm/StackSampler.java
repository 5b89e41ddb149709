package dev.tape.vm;

/**
 * Reads, from another thread, which functions a compiled run of one {@link Vm} is in: the basis of
 * a sampling (wall-time) profiler. It costs the run nothing while it is not sampled.
 *
 * <p><b>Why the Java stack.</b> Compiled code keeps the run's position in JVM locals, not in its
 * {@link ExecutionContext}: a compiled call writes its caller's frame record (as the interpreter
 * does) but neither the new depth nor the callee, and a return writes nothing, so the context's
 * records above the current depth are stale and the current depth is unknown while compiled code
 * runs. The interpreter too keeps its depth and position in locals between its stops. What is
 * always current is the thread's Java stack: every compiled function is a method {@code f<id>} of
 * a hidden class {@code dev.tape.vm.JitCode}, and {@link Thread#getStackTrace()} lists those
 * frames (inlined ones included) outermost last. A sample is that list, read from the outermost
 * frame inwards, up to the first host call (a host function, and any run it starts, are not part
 * of this run's stack).
 *
 * <p><b>A racy sample.</b> The JVM takes the stack at a safepoint, so samples lean towards the
 * places compiled code polls for one (calls, returns, loop back-edges): good enough to say which
 * functions the time goes to, not which instructions. Functions whose code and signature are
 * equal share one compiled method; their samples name the function it was compiled for.
 *
 * <p>A sampler is used by one thread at a time (it keeps the last sample's {@link #where()});
 * {@link #sample} never throws, never blocks beyond the JVM's own stack walk, and reports only
 * function ids within the program.
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
    private final Thread thread;
    private Where where = Where.OUTSIDE;

    /**
     * @param vm the VM whose runs are sampled (its function count bounds the ids reported)
     * @param thread the thread that runs them
     * @throws IllegalArgumentException when an argument is null
     */
    public StackSampler(Vm vm, Thread thread) {
        if (vm == null || thread == null) {
            throw new IllegalArgumentException(vm == null ? "the VM is null" : "the thread is null");
        }
        this.functions = vm.funcs.length;
        this.thread = thread;
    }

    /** @return what the thread was doing at the last {@link #sample} ({@link Where#OUTSIDE} before the first) */
    public Where where() {
        return where;
    }

    /**
     * Takes one sample of the thread's run: the function ids of its compiled frames, outermost
     * (the entry) first, written to {@code out} from index 0. Frames past {@code out.length} are
     * counted but not written. Each id is in {@code [0, functions)} of the VM's program; a frame
     * that does not name one is skipped. Sets {@link #where()}.
     *
     * @param out where the ids go; may be empty
     * @return the number of compiled frames found, 0 or more (more than {@code out.length} when
     *     the stack was deeper); 0 with {@link Where#OUTSIDE} when the stack could not be read
     */
    public int sample(int[] out) {
        try {
            return read(thread.getStackTrace(), out);
        } catch (RuntimeException | Error e) {
            // a security manager, or no memory for the trace: no sample
            where = Where.OUTSIDE;
            return 0;
        }
    }

    private int read(StackTraceElement[] stack, int[] out) {
        int n = 0;
        Where w = Where.OUTSIDE;
        for (int i = stack.length - 1; i >= 0; i--) {
            StackTraceElement e = stack[i];
            String cls = e.getClassName();
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

    /** @return the id in a compiled method's name {@code f<id>}, or -1 when it names no function */
    private int functionId(String method) {
        if (method == null || method.length() < 2 || method.length() > 11 || method.charAt(0) != 'f') {
            return -1;
        }
        long id = 0;
        for (int i = 1; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id < functions ? (int) id : -1;
    }
}
