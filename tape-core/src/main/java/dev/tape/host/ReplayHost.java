package dev.tape.host;

import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A host that answers from a {@link HostRecording}, in order, without the recorded host
 * ({@code docs/RECORDING.md}): each host call must be the next recorded one (same symbol, signature
 * hash and arguments, compared as value literals); it then gets the recorded results, or the
 * recorded failure (a {@code host_call_failed} trap with the same detail, or the same arity
 * failure), and is charged the recorded fuel. Since the program is deterministic and the host's
 * answers are its only input, the run repeats the recorded one exactly: same results, trap and fuel,
 * on either tier.
 *
 * <p>A call that is not the next recorded one, or one past the end of the recording, fails with a
 * {@code host_call_failed} trap whose detail begins {@code replay diverged} and names the call
 * number, what was recorded and what was asked (literals cut to 200 chars). An import the recorded
 * host did not provide is not provided here either.
 *
 * <p>Resolving an import costs O(1) (the recording's resolve records are indexed when this host is
 * made, in time and memory linear in them). Not thread-safe: one run at a time, from the
 * recording's start.
 */
public final class ReplayHost implements Host {
    /** The most chars of a literal shown in a divergence message. */
    static final int SHOWN_CHARS = 200;

    /**
     * Told of each call answered from the recording, before it returns (for example to re-print what
     * a printing host printed).
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called after the replay host answers a call from the recording.
         *
         * @param call the recorded call being answered
         * @param args the arguments the run passed (equal to the recorded ones)
         * @throws Exception to fail the call: the run traps {@code host_call_failed} as with any host
         */
        void answered(HostRecording.Call call, Value[] args) throws Exception;
    }

    private final HostRecording recording;
    private final Listener listener;
    /** the imports the recorded host did not provide, as {@code symbol + '#' + sigHash} */
    private final Set<String> unprovided = new HashSet<>();
    private int next;

    /**
     * Makes a host that answers every call from the recording, in recorded order.
     *
     * @param recording the recording, already checked against the program
     *     ({@link HostRecording#requireProgram})
     * @param listener told of each answered call, or null
     * @throws IllegalArgumentException when the recording is null
     */
    public ReplayHost(HostRecording recording, Listener listener) {
        if (recording == null) {
            throw new IllegalArgumentException("a recording is required");
        }
        this.recording = recording;
        this.listener = listener;
        for (HostRecording.Resolve r : recording.resolves()) {
            if (!r.provided()) {
                unprovided.add(key(r.symbol(), r.sigHash()));
            }
        }
    }

    private static String key(String symbol, long sigHash) {
        return symbol + '#' + Long.toHexString(sigHash);
    }

    /**
     * Counts the recorded calls answered so far.
     *
     * @return the recorded calls answered so far
     */
    public int callsAnswered() {
        return next;
    }

    /**
     * Counts the recorded calls not answered yet.
     *
     * @return the recorded calls not yet answered (after a whole run, 0 when it repeated the recorded one)
     */
    public int callsLeft() {
        return recording.calls().size() - next;
    }

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        // indexed once: a program of 32,768 imports and a recording of 1,000,000 resolve records
        // took 100 s when each import scanned every record
        return unprovided.contains(key(symbol, sigHash)) ? null : this::call;
    }

    private void call(Value[] args, Value[] results, HostContext ctx) throws Exception {
        int n = next;
        List<HostRecording.Call> calls = recording.calls();
        if (n >= calls.size()) {
            throw new HostFailedException("replay diverged at host call " + (n + 1) + ": the recording ends after "
                    + calls.size() + " calls; the run called " + show(ctx.symbol(), ctx.sigHash(), args));
        }
        HostRecording.Call c = calls.get(n);
        if (!matches(c, ctx, args)) {
            throw new HostFailedException("replay diverged at host call " + (n + 1) + ": recorded "
                    + showRecorded(c) + ", the run called " + show(ctx.symbol(), ctx.sigHash(), args));
        }
        next = n + 1;
        answer(c, n, results, ctx);
        if (listener != null) {
            listener.answered(c, args);
        }
    }

    /**
     * Gives a recorded call's answer: charges its fuel, then throws its failure or stores its
     * results (shared by this class and the in-memory {@link RecordingHost}).
     *
     * @param c the recorded call
     * @param n its number, from 0 (for a divergence message)
     * @param results the VM's result slots
     * @param ctx the call's context
     * @throws HostFailedException the recorded failure, or when the recorded result count is not the
     *     signature's
     * @throws HostReturnArityException the recorded arity failure
     */
    static void answer(HostRecording.Call c, int n, Value[] results, HostContext ctx) throws HostFailedException {
        if (c.fuel() != 0) {
            ctx.chargeFuel(c.fuel());
        }
        if (c.failure() != null) {
            throw new HostFailedException(c.failure());
        }
        if (c.arity() != null) {
            throw new HostReturnArityException(c.arity()[0], c.arity()[1]);
        }
        List<Value> rs = c.resultValues();
        if (rs.size() != results.length) {
            throw new HostFailedException("replay diverged at host call " + (n + 1) + ": recorded "
                    + rs.size() + " result slots, the signature has " + results.length);
        }
        for (int i = 0; i < results.length; i++) {
            results[i] = rs.get(i);
        }
    }

    private static boolean matches(HostRecording.Call c, HostContext ctx, Value[] args) {
        if (!c.symbol().equals(ctx.symbol()) || c.sigHash() != ctx.sigHash() || c.args().size() != args.length) {
            return false;
        }
        for (int i = 0; i < args.length; i++) {
            String want = c.args().get(i);
            if (want == null || args[i] == null) {
                if (want != null || args[i] != null) {
                    return false;
                }
                continue;
            }
            // bounded: a literal longer than the recorded one cannot be equal
            String have = ValueLiteral.format(args[i], want.length() + 1);
            if (!have.equals(want)) {
                return false;
            }
        }
        return true;
    }

    private static String showRecorded(HostRecording.Call c) {
        StringBuilder b = new StringBuilder(c.symbol()).append('#').append(hex(c.sigHash())).append('(');
        for (int i = 0; i < c.args().size(); i++) {
            String a = c.args().get(i);
            b.append(i > 0 ? ", " : "").append(a == null ? "null" : cut(a));
        }
        return b.append(')').toString();
    }

    private static String show(String symbol, long sigHash, Value[] args) {
        StringBuilder b = new StringBuilder(symbol).append('#').append(hex(sigHash)).append('(');
        for (int i = 0; i < args.length; i++) {
            b.append(i > 0 ? ", " : "").append(args[i] == null ? "null" : ValueLiteral.format(args[i], SHOWN_CHARS));
        }
        return b.append(')').toString();
    }

    private static String cut(String literal) {
        return literal.length() <= SHOWN_CHARS ? literal : literal.substring(0, SHOWN_CHARS) + ValueLiteral.CUT_MARK;
    }

    private static String hex(long v) {
        return HexFormat.of().toHexDigits(v);
    }
}
