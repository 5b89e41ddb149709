package dev.tape.vm;

import java.lang.invoke.MethodHandle;

/** The compiled code of one program: a method handle per compiled function, null for the others. */
final class JitTier extends CompiledTier {
    /** per function id: {@code (Vm, ExecutionContext, int base, int depth, int stackWords) -> long}, or null */
    final MethodHandle[] handles;
    /** per function id: the Java stack its method may use, in words */
    final int[] costs;
    /** the most results any function returns (the size of the context's result arrays) */
    private final int maxResults;

    JitTier(MethodHandle[] handles, int[] costs, int maxResults) {
        this.handles = handles;
        this.costs = costs;
        this.maxResults = maxResults;
    }

    @Override
    boolean compiled(int func) {
        return handles[func] != null;
    }

    /**
     * Per thread, in its one element: the Java stack, in words, that a compiled run starting now
     * may use. With no compiled run active on the thread it is {@link JitRuntime#STACK_WORDS};
     * while one is, it is what the run's innermost compiled frame had left at its last host call
     * (compiled code writes it there before each one, through {@link ExecutionContext#stackShare}),
     * which is always less. So a run that a host function starts gets that, less
     * {@link JitRuntime#NEST_WORDS}: the compiled frames of all the runs on a thread together stay
     * within {@code STACK_WORDS}, however deep hosts nest runs. A run whose entry frame does not fit
     * is interpreted from its start.
     */
    private static final ThreadLocal<int[]> STACK_LEFT =
            ThreadLocal.withInitial(() -> new int[] {JitRuntime.STACK_WORDS});

    @Override
    int run(Vm vm, ExecutionContext c, int entry) {
        int[] share = STACK_LEFT.get();
        int stack = share[0];
        // less than the whole budget: a compiled run is active, and this one is nested in it
        boolean nested = stack < JitRuntime.STACK_WORDS;
        int left = stack - costs[entry] - (nested ? JitRuntime.NEST_WORDS : 0);
        if (left < 0) {
            // the context is as Vm prepared it: the interpreter runs the entry from pc 0
            return HANDOVER;
        }
        if (c.retW.length < maxResults) {
            c.retW = new long[maxResults];
            c.retR = new Object[maxResults];
        }
        share[0] = left;
        c.stackShare = share;
        try {
            // the entry's results stay in its registers (Vm reads them at its ret); the value is unused
            long ignored = (long) handles[entry].invokeExact(vm, c, 0, 1, left);
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
        }
    }
}
