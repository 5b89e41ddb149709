package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.verify.Verifier;

/**
 * For {@code IndirectSiteDeepTest}, loaded in a class loader of its own: makes a compiled-tier VM
 * (with a full stack), then asks its tier for a {@code call.indirect} inline cache from every depth
 * of an exhausted stack, as the code generator does when it compiles such a call on a run's thread
 * deep in a program's recursion.
 */
final class IndirectSiteDeepChain {
    private IndirectSiteDeepChain() {}

    private static final String PROGRAM = """
            program one
            func main() -> (result: i64) {
                const.i64 r1, 1
                ret r0, [r1]
            }
            """;

    /** the tier asked */
    private static JitTier tier;
    /** how many of the calls threw */
    private static int failed;
    /** whether a call has returned a cache */
    private static boolean made;

    /**
     * Makes the VM, with a full stack.
     *
     * @throws Exception when the program does not assemble or verify (it does)
     */
    static void prepare() throws Exception {
        Vm vm = Jit.compile(Verifier.verify(Assembler.assemble(PROGRAM, "one.tasm")), Host.NONE);
        tier = (JitTier) vm.tier;
    }

    /**
     * Recurses until the stack overflows, then on the way back asks for a cache at each depth until
     * one call returns one.
     *
     * @return how many of those calls threw (the deepest, which had no stack left)
     */
    static int fromEveryDepth() {
        failed = 0;
        made = false;
        down();
        return failed;
    }

    /** @return whether a call returned a cache */
    static boolean made() {
        return made;
    }

    private static void down() {
        try {
            down();
        } catch (StackOverflowError e) {
            // the bottom: from here up, each depth asks once, until one call returns a cache
        }
        if (!made) {
            try {
                made = tier.indirectSite() != null;
            } catch (Throwable e) {
                failed++;
            }
        }
    }
}
