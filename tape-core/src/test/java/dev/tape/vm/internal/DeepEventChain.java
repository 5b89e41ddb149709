package dev.tape.vm.internal;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;

import java.util.List;

/**
 * What {@link FirstEventDeepTest} runs, in a class loader of its own: a VM made with a full stack,
 * whose program calls a host function, then traps; its first run made from every depth of an
 * exhausted stack, from the deepest up, until one gets through (each failure, a
 * {@link StackOverflowError} or the internal-error trap a run makes of one, is tried again a frame
 * higher).
 */
public final class DeepEventChain {
    private DeepEventChain() {}

    /** doubles its argument with a host call, then divides by it (by zero, with 0) */
    static final String SOURCE = """
            program deep_event
            host twice = "env.twice" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                host_call r0, twice, r0, [r1] -> [r2]
                i64.div r3, r2, r1
                ret r0, [r3]
            }
            """;

    private static Vm vm;
    private static String result;
    private static int failed;

    /**
     * Makes the VM (with the stack this call has).
     *
     * @throws Exception never (the program is well formed)
     */
    public static void prepare() throws Exception {
        vm = new Vm(Verifier.verify(Assembler.assemble(SOURCE, "deep_event.tasm")), new HostRegistry().register(
                "env.twice", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                args -> new Value[] {Value.i64(2 * ((Value.I64) args[0]).value())}));
    }

    /** @return the run of {@code main(0)}: its results, or its trap's kind, place and message */
    public static String once() {
        try {
            return "returned " + vm.run(0, List.of(Value.i64(0)), Limits.DEFAULT);
        } catch (Trap t) {
            return "trapped " + t.kind() + " " + t.getMessage();
        }
    }

    /** @return the first run that got through, from the deepest frame it could be made */
    public static String fromEveryDepth() {
        result = null;
        failed = 0;
        descend();
        return result;
    }

    /** @return the runs that failed for want of stack in the last {@link #fromEveryDepth()} */
    public static int failed() {
        return failed;
    }

    private static void descend() {
        try {
            descend();
        } catch (StackOverflowError e) {
            // the bottom
        }
        if (result == null) {
            try {
                String r = once();
                if (r.startsWith("trapped " + TrapKind.INTERNAL_ERROR)) {
                    failed++;
                } else {
                    result = r;
                }
            } catch (StackOverflowError e) {
                failed++;
            }
        }
    }
}
