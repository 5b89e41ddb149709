package dev.tape.debug;

import dev.tape.host.Host;
import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A host that remembers what the real host answered, so the debugger can run a program again from
 * its start and reach exactly the same state without asking the host twice: a print is printed
 * once, however often the debugger steps back over it.
 *
 * <p>Host calls are numbered from 0 in the order a run makes them; the program is deterministic,
 * so call number k of every run of the same program with the same arguments is the same call. Call
 * k of a run, when an earlier run already made it, gets the recorded answer (the same results, the
 * same extra fuel charged, or the same failure) without the real host; a call no run has made yet
 * goes to the real host and its answer is recorded. {@link #rewind()} starts the numbering again for
 * a new run.
 *
 * <p>Memory: the recorded results of every host call the session has made (each a few references);
 * the run's {@code --max-host-calls} bounds their count.
 */
final class ReplayHost implements Host {
    /** One recorded answer. */
    private record Answer(Value[] results, long charged, Exception failure) {}

    private final Host real;
    private final List<Answer> answers = new ArrayList<>();
    private int next;

    /** @param real the host that answers calls no run has made yet */
    ReplayHost(Host real) {
        this.real = real;
    }

    /** Numbers host calls from 0 again: the next call is the first of a new run. */
    void rewind() {
        next = 0;
    }

    /** @return host calls recorded so far */
    int recorded() {
        return answers.size();
    }

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        HostFunction fn = real.resolve(symbol, sigHash, args, rets);
        if (fn == null) {
            return null;
        }
        return (in, out, ctx) -> call(fn, in, out, ctx);
    }

    private void call(HostFunction fn, Value[] in, Value[] out, HostContext ctx) throws Exception {
        int k = next++;
        if (k < answers.size()) {
            Answer a = answers.get(k);
            if (a.charged() != 0) {
                ctx.chargeFuel(a.charged());
            }
            if (a.failure() != null) {
                throw a.failure();
            }
            System.arraycopy(a.results(), 0, out, 0, Math.min(out.length, a.results().length));
            return;
        }
        long[] charged = new long[1];
        HostContext counting = counting(ctx, charged);
        try {
            fn.call(in, out, counting);
        } catch (Exception e) {
            answers.add(new Answer(null, charged[0], e));
            throw e;
        }
        answers.add(new Answer(out.clone(), charged[0], null));
    }

    /**
     * The context the real host sees: the VM's, except that fuel charges are also added up (with
     * the VM's saturation at 2^64-1) to be charged again on replay. A proxy, so a method the
     * interface gains later passes through unchanged.
     */
    private static HostContext counting(HostContext ctx, long[] charged) {
        return (HostContext) Proxy.newProxyInstance(HostContext.class.getClassLoader(), new Class<?>[] {HostContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("chargeFuel") && args != null && args.length == 1) {
                        long units = (Long) args[0];
                        long sum = charged[0] + units;
                        charged[0] = Long.compareUnsigned(sum, charged[0]) < 0 ? -1L : sum;
                    }
                    return invoke(method, ctx, args);
                });
    }

    private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
        if (m.getDeclaringClass() == Object.class) {
            return switch (m.getName()) {
                case "equals" -> target == args[0];
                case "hashCode" -> System.identityHashCode(target);
                default -> "HostContext";
            };
        }
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
