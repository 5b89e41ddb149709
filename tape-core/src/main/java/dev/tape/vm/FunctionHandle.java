package dev.tape.vm;

import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A function of a {@link Vm}'s program, found by name ({@link Vm#function(String)}) or id, with
 * its signature (spec section "Function table"), to call as a run's entry. Immutable and
 * thread-safe like the VM; each call is one run with a fresh {@link ExecutionContext} and no
 * tracing (use {@link Vm#run(ExecutionContext, int, List, Limits, dev.tape.trace.TraceSink)} to
 * reuse a context or trace).
 *
 * <pre>
 * FunctionHandle fib = vm.function("fib");    // fib (i64) -&gt; (i64)
 * long f20 = fib.call(Value.of(20)).get(0).asLong();
 * </pre>
 */
public final class FunctionHandle {
    private final Vm vm;
    private final int id;
    private final FunctionSig sig;

    FunctionHandle(Vm vm, int id) {
        this.vm = vm;
        this.id = id;
        this.sig = vm.program.functions().get(id).sig();
    }

    /**
     * The id of the function this handle calls.
     *
     * @return the function id (what {@link Vm#functionId(String)} gives)
     */
    public int id() {
        return id;
    }

    /**
     * The name the program gives the function.
     *
     * @return the function's name in the names section, or null when it has none
     */
    public String name() {
        return vm.verified.functionName(id);
    }

    /**
     * The types of the function's arguments.
     *
     * @return the argument types, in order
     */
    public List<ValueType> args() {
        return sig.args();
    }

    /**
     * The types of the function's results.
     *
     * @return the result types, in order
     */
    public List<ValueType> rets() {
        return sig.rets();
    }

    /**
     * The VM whose runs this handle starts.
     *
     * @return the VM this handle calls into
     */
    public Vm vm() {
        return vm;
    }

    /**
     * Runs the function with {@link Limits#DEFAULT}.
     *
     * @param args the arguments: as many as {@link #args()}, each of exactly that type
     * @return the results, as many as {@link #rets()}
     * @throws Trap when the run traps; a wrong argument count traps {@code arity_mismatch}, an
     *     argument of another type (or null) {@code type_mismatch}, both at pc 0
     */
    public List<Value> call(Value... args) {
        return call(Limits.DEFAULT, args);
    }

    /**
     * Runs the function.
     *
     * @param limits the run's limits
     * @param args the arguments: as many as {@link #args()}, each of exactly that type
     * @return the results, as many as {@link #rets()}
     * @throws Trap when the run traps; a wrong argument count traps {@code arity_mismatch}, an
     *     argument of another type (or null) {@code type_mismatch}, both at pc 0
     * @throws IllegalArgumentException when {@code limits} is null
     */
    public List<Value> call(Limits limits, Value... args) {
        return vm.run(id, Arrays.asList(args.clone()), limits);
    }

    /** @return {@code fib (i64) -> (i64)}, or {@code #3 (i64) -> (i64)} for an unnamed function */
    @Override
    public String toString() {
        String n = name();
        return (n == null ? "#" + id : n) + " (" + String.join(", ", sig.args().stream().map(ValueType::toString)
                .toList()) + ") -> (" + String.join(", ", sig.rets().stream().map(ValueType::toString).toList()) + ")";
    }

    /** The message for a name the program does not have: it names at most 8 functions it has. */
    static String noSuchFunction(Vm vm, String name) {
        List<String> some = new ArrayList<>();
        int named = 0;
        for (Names.FunctionName n : vm.program.names().functions()) {
            String s = vm.verified.functionName(n.funcId());
            if (s != null) {
                named++;
                if (some.size() < 8) {
                    some.add(s);
                }
            }
        }
        return "the program has no function named " + (name == null ? "null" : "\"" + name + "\"")
                + (named == 0 ? " (it names no functions)" : " (it has " + String.join(", ", some)
                + (named > some.size() ? " and " + (named - some.size()) + " more" : "") + ")");
    }
}
