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
     * Per thread: element 0 is the Java stack, in words, that a compiled run starting now may use,
     * element 1 how many compiled runs are active on the thread. With no run active, element 0 is
     * {@link JitRuntime#STACK_WORDS}. While a run is active, element 0 is what its innermost
     * compiled frame had left at its last host call (compiled code writes it there before each
     * one, through {@link ExecutionContext#stackShare}), so a run that a host function starts gets
     * that, less {@link JitRuntime#NEST_WORDS}: the compiled frames of all the runs on a thread
     * together stay within {@code STACK_WORDS}, however deep hosts nest runs. A run whose entry
     * frame does not fit is interpreted from its start.
     */
    private static final ThreadLocal<int[]> STACK_LEFT =
            ThreadLocal.withInitial(() -> new int[] {JitRuntime.STACK_WORDS, 0});

    @Override
    int run(Vm vm, ExecutionContext c, int entry) {
        int[] share = STACK_LEFT.get();
        int stack = share[0];
        int left = stack - costs[entry] - (share[1] > 0 ? JitRuntime.NEST_WORDS : 0);
        if (left < 0) {
            // the context is as Vm prepared it: the interpreter runs the entry from pc 0
            return HANDOVER;
        }
        if (c.retW.length < maxResults) {
            c.retW = new long[maxResults];
            c.retR = new Object[maxResults];
        }
        share[0] = left;
        share[1]++;
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
            share[1]--;
        }
    }
}
