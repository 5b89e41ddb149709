package dev.tape.cli;

import dev.tape.format.Op;
import dev.tape.host.Host;
import dev.tape.host.ForwardingHostContext;
import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.program.Program;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a run's fuel by stack into a bounded call tree, for {@code tape profile}: a trace sink
 * for instruction, call and host events, and a {@link #wrap(Host) host wrapper} that counts the fuel
 * host functions charge. Exact and deterministic: every instruction adds its 1 fuel unit to the
 * stack it ran in, a {@code host_call}'s unit and whatever the host charged go to a leaf frame named
 * after its symbol ({@code [host] std.print_i64}), and at the end the tree's total is the run's fuel
 * used ({@link #total()}), traps included.
 *
 * <p>Frames are functions ({@link By#FUNCTION}: {@code fib}, or {@code func 3} without a name) or
 * spans ({@link By#SPAN}: {@code fib @span 12}, the span in force at the frame's current
 * instruction, or {@code fib @no span}).
 *
 * <p><b>Bounded memory.</b> A hostile run must not make the profile large: stacks deeper than
 * {@code maxDepth} frames are cut there (the fuel of every deeper frame goes to one
 * {@code [deeper frames]} frame at the cut), and once the tree holds {@code maxNodes} frames, a new
 * frame's fuel goes to an {@code [other]} frame of its parent (at most one per frame, so never more
 * than {@code 2 x maxNodes + 1} in all). The work per event is one hash lookup at most; a run
 * recursing a million frames deep costs {@code maxDepth} slots, not a million.
 */
final class FuelProfile extends CallTree implements TraceSink {
    /** How frames are named. */
    enum By {
        /** one frame per function */
        FUNCTION,
        /** one frame per function and span in force */
        SPAN
    }

    /** The default of {@code --max-depth}. */
    static final int DEFAULT_MAX_DEPTH = 512;
    /** The default of {@code --max-stacks}. */
    static final int DEFAULT_MAX_NODES = 10_000;

    private final By by;
    private final int maxDepth;
    private Program program;
    /** per depth 0..maxDepth: the frame's node (0 is the root) */
    private final Node[] path;
    /** per depth: the span the frame's node was found for ({@link By#SPAN}); -1 before its first instruction */
    private final long[] spanOf;
    private final int[] funcOf;
    private Node deeper;
    private int depth;
    /** the frame that ran the last host_call, and its host leaf once entered */
    private Node lastHost;
    private long counted;
    private long fuelUsed = -1;
    private final Map<Integer, String> names = new HashMap<>();

    /**
     * @param by how frames are named
     * @param maxDepth the deepest stack kept, 1 or more
     * @param maxNodes the most frames before new ones fold into {@code [other]}, 1 or more
     */
    FuelProfile(By by, int maxDepth, int maxNodes) {
        super(maxNodes);
        this.by = by;
        this.maxDepth = maxDepth;
        this.path = new Node[maxDepth + 1];
        this.spanOf = new long[maxDepth + 1];
        this.funcOf = new int[maxDepth + 1];
        path[0] = root();
    }

    @Override
    public int mask() {
        return TraceMask.ALL;
    }

    /** @return the run's fuel used, as the VM reported it at the run's end (-1 before it ends) */
    long total() {
        return fuelUsed;
    }

    @Override
    public void runStart(Program program, int entry, int argCount) {
        this.program = program;
    }

    @Override
    public void runEnd(Program program, boolean trapped, long fuelUsed) {
        this.fuelUsed = fuelUsed;
        // a host charge the run could not pay in full traps fuel_exceeded with only part of it used:
        // take the excess back from that host's frame (the only place it can have been counted)
        long excess = counted - fuelUsed;
        if (excess > 0 && lastHost != null && lastHost.host) {
            long back = Math.min(excess, lastHost.self);
            lastHost.self -= back;
            counted -= back;
        }
        if (counted < fuelUsed) {
            child(root(), "[unattributed]", "[unattributed]", false).self += fuelUsed - counted;
            counted = fuelUsed;
        }
    }

    @Override
    public void callEnter(int func, int newDepth) {
        depth = newDepth;
        if (newDepth <= maxDepth) {
            funcOf[newDepth] = func;
            spanOf[newDepth] = -1;
            path[newDepth] = by == By.FUNCTION ? child(path[newDepth - 1], func, null, false) : null;
        } else if (newDepth == maxDepth + 1) {
            deeper = child(current(maxDepth), DEEPER, DEEPER, false);
        }
    }

    @Override
    public void callExit(int func, int oldDepth) {
        depth = oldDepth - 1;
    }

    @Override
    public void instr(int func, int pc, long span, int opcode) {
        Node n;
        if (depth > maxDepth) {
            n = deeper;
        } else if (by == By.SPAN) {
            if (spanOf[depth] != span || path[depth] == null) {
                spanOf[depth] = span;
                path[depth] = child(path[depth - 1], List.of(func, span), null, false);
            }
            n = path[depth];
        } else {
            n = path[depth];
        }
        n.self++;
        counted++;
        lastHost = opcode == Op.HOST_CALL ? n : null;
    }

    @Override
    public void hostEnter(int hostSig, String symbol, int func, int pc) {
        if (lastHost != null) {
            // the host_call's own unit moves from the caller to the host's leaf
            Node leaf = child(lastHost, "host:" + symbol, "[host] " + symbol, true);
            lastHost.self--;
            leaf.self++;
            lastHost = leaf;
        }
    }

    /** Counts fuel a host function charged, to the host leaf of the call in progress. */
    void charged(long units) {
        if (lastHost != null && lastHost.host) {
            // unsigned units; past Long.MAX_VALUE the run traps anyway, and runEnd takes the excess back
            long u = units < 0 ? Long.MAX_VALUE : units;
            lastHost.self = saturated(lastHost.self, u);
            counted = saturated(counted, u);
        }
    }

    private static long saturated(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private Node current(int d) {
        Node n = path[d];
        return n == null ? path[d - 1] : n;
    }

    @Override
    String frameName(Object key) {
        if (key instanceof Integer f) {
            return functionName(f);
        }
        @SuppressWarnings("unchecked")
        List<Object> k = (List<Object>) key;
        long span = (Long) k.get(1);
        return functionName((Integer) k.get(0)) + (span == 0 ? " @no span" : " @span " + Long.toUnsignedString(span));
    }

    private String functionName(int f) {
        return names.computeIfAbsent(f, id -> {
            String n = program == null ? null : program.functionName(id);
            return n == null ? "func " + id : Escape.text(n);
        });
    }

    /**
     * Wraps a host so that the fuel its functions charge is counted to their leaf frames.
     *
     * @param host the host
     * @return the wrapping host
     */
    Host wrap(Host host) {
        return (symbol, sigHash, args, rets) -> {
            HostFunction fn = host.resolve(symbol, sigHash, args, rets);
            return fn == null ? null : (a, r, ctx) -> fn.call(a, r, new Counting(ctx));
        };
    }

    /** The VM's host context, with charges counted. */
    private final class Counting extends ForwardingHostContext {
        Counting(HostContext ctx) {
            super(ctx);
        }

        @Override
        public void chargeFuel(long units) {
            delegate().chargeFuel(units);
            charged(units);
        }
    }
}
