package dev.tape.vm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;

/**
 * The inline cache of one {@code call.indirect} instruction in compiled code: a call site of type
 * {@link #TYPE}, {@code (vm, c, callee, nb, depth, stack) -> long}, which the generated code calls
 * (through its invoker, a constant in a static final field, so C2 follows it to the current target)
 * after it has checked the callee ({@code JitRuntime.funcCallee} or {@code closureCallee}) and set up
 * its frame. It does what {@link JitRuntime#invoke} does, with the same hand-overs and the same Java
 * stack accounting, so which target a call takes never changes an outcome, only its speed.
 *
 * <p>The target starts as {@link #miss}: it runs {@code JitRuntime.invoke} and, when the callee has
 * a method, puts in front of the current target a test of the callee id and a call of that method
 * through a constant handle ({@link #known}), which C2 inlines. A site caches at most
 * {@link #MAX_ENTRIES} callees; at the next miss its target becomes {@code JitRuntime.invoke} for
 * good (megamorphic). So a site changes its target at most {@code MAX_ENTRIES + 1} times, each
 * change costing the compiled code that inlined it a deoptimisation, and a chain of at most
 * {@code MAX_ENTRIES} int compares.
 *
 * <p>Thread safety: the entry count is kept under this object's lock; every target is correct for
 * every thread, so a thread that still sees an older one is only slower.
 */
final class IndirectSite extends MutableCallSite {
    /** The site's type: {@code (Vm vm, ExecutionContext c, int callee, int nb, int depth, int stack) -> long}. */
    static final MethodType TYPE = MethodType.methodType(long.class, Vm.class, ExecutionContext.class, int.class,
            int.class, int.class, int.class);

    /** Most callees one site caches before it calls every callee through {@link JitRuntime#invoke}. */
    static final int MAX_ENTRIES = 4;

    private static final MethodHandle MISS;
    private static final MethodHandle INVOKE;
    private static final MethodHandle KNOWN;
    private static final MethodHandle IS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MISS = l.findStatic(IndirectSite.class, "miss", TYPE.insertParameterTypes(0, IndirectSite.class));
            INVOKE = l.findStatic(JitRuntime.class, "invoke", TYPE);
            KNOWN = l.findStatic(IndirectSite.class, "known",
                    TYPE.insertParameterTypes(0, MethodHandle.class, int.class));
            IS = l.findStatic(IndirectSite.class, "is", MethodType.methodType(boolean.class, int.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** the callees cached so far; past {@link #MAX_ENTRIES} the target is {@link #INVOKE} */
    private int entries;

    IndirectSite() {
        super(TYPE);
        setTarget(MISS.bindTo(this));
    }

    /**
     * The target while the callee is not cached: the call as {@link JitRuntime#invoke} makes it,
     * after caching the callee when it has a method (which the call may just have given it: then a
     * later call caches it).
     */
    private static long miss(IndirectSite site, Vm vm, ExecutionContext c, int callee, int nb, int depth, int stack) {
        MethodHandle h = ((JitTier) vm.tier).handles[callee];
        if (h != null) {
            site.cache(callee, h, ((JitTier) vm.tier).cost(callee) + JitRuntime.CACHE_WORDS);
        }
        return JitRuntime.invoke(vm, c, callee, nb, depth, stack);
    }

    /** Puts {@code callee}'s method, {@code h}, of Java stack cost {@code cost} words, in front of the target. */
    private synchronized void cache(int callee, MethodHandle h, int cost) {
        if (entries > MAX_ENTRIES) {
            return;
        }
        if (entries == MAX_ENTRIES) {
            entries++;
            setTarget(INVOKE);
            return;
        }
        entries++;
        MethodHandle test = MethodHandles.dropArguments(MethodHandles.insertArguments(IS, 0, callee), 0, Vm.class,
                ExecutionContext.class);
        MethodHandle call = MethodHandles.insertArguments(KNOWN, 0, h, cost);
        setTarget(MethodHandles.guardWithTest(test, call, getTarget()));
    }

    /**
     * @return the callees cached so far, or {@link #MAX_ENTRIES} + 1 once the site calls every
     *     callee through {@link JitRuntime#invoke}
     */
    synchronized int entries() {
        return entries;
    }

    /** The guard of a cached callee. */
    private static boolean is(int cached, int callee) {
        return cached == callee;
    }

    /**
     * A call of a cached callee: {@link JitRuntime#invoke} with the callee's method {@code h} and
     * its frame's cost (its own plus {@link JitRuntime#CACHE_WORDS}) known.
     */
    private static long known(MethodHandle h, int cost, Vm vm, ExecutionContext c, int callee, int nb, int depth,
                              int stack) throws Throwable {
        if (depth >= JitRuntime.MAX_NESTING || stack < cost) {
            throw JitRuntime.handover(c, callee, 0, nb, depth + 1);
        }
        return (long) h.invokeExact(vm, c, nb, depth + 1, stack - cost, callee, JitTier.FRESH);
    }
}
