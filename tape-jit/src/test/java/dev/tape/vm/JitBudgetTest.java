package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, hole 1: what the compiled tier may cost is bounded whatever the program. Many
 * function-table rows sharing one code blob ({@link SharedBlobPrograms}) once made one hidden
 * class of 39 to 116 MB at {@link Jit#compile}; now nothing is compiled up front, a function is
 * compiled as it first runs, rows of one blob and signature share one method, the classes and
 * their bytes are counted against per-VM budgets, and a class the JVM refuses (or any error while
 * defining it) leaves its functions to the interpreter, with the same outcomes.
 */
class JitBudgetTest {
    private static final int ROWS = 3_000;
    private static final List<Value> ARGS = List.of(Value.i64(4));

    private static final VerifiedProgram SHARED = Tiers.verified(SharedBlobPrograms.program(ROWS));

    /** The interpreter's outcome of main(4), for comparison. */
    private static Tiers.Outcome interpreted() {
        return Tiers.run(new Vm(SHARED, Host.NONE), null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
    }

    private static Tiers.Outcome run(Vm vm) {
        return Tiers.run(vm, null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
    }

    @Test
    void rowsSharingABlobShareOneSmallClassAndOnlyWhatRunsIsCompiled() {
        assertEquals(ROWS + 1, SHARED.program().functions().size());
        Vm vm = Jit.compile(SHARED, Host.NONE);
        JitTier tier = (JitTier) vm.tier;
        assertEquals(0, Jit.compiledFunctions(vm), "nothing is compiled up front");
        assertEquals(0, tier.classes());

        Tiers.Outcome want = interpreted();
        assertEquals(List.of(Value.i64(SharedBlobPrograms.expected(ROWS, 4))), want.results());
        Tiers.assertSame(want, run(vm), () -> "main(4)");
        // main and the rows it called, in two classes: main's, and the one the rows share
        assertEquals(1 + SharedBlobPrograms.CALLED, Jit.compiledFunctions(vm), "only what ran is compiled");
        assertEquals(2, tier.classes(), "the called rows share one class");
        long afterRun = tier.classBytes();
        assertTrue(afterRun > 0 && afterRun <= 2L * JitTier.MAX_CLASS_BYTES, afterRun + " bytes of classes");

        // compiling every row adds no class: they all have the body's shape
        assertEquals(ROWS + 1, Jit.precompile(vm));
        assertEquals(2, tier.classes(), "one class for all " + ROWS + " rows");
        assertEquals(afterRun, tier.classBytes());
        Tiers.assertSame(want, run(vm), () -> "main(4), again");
    }

    @Test
    void aBudgetOfOneClassCompilesMainOnlyAndOutcomesStayTheSame() {
        Tiers.Outcome want = interpreted();
        Vm vm = Tiers.compile(SHARED, Host.NONE, new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES, 1),
                JitTier.hidden());
        for (int k = 0; k < 3; k++) {
            Tiers.assertSame(want, run(vm), () -> "main(4) with a budget of one class");
        }
        JitTier tier = (JitTier) vm.tier;
        assertEquals(1, tier.classes());
        assertEquals(1, Jit.compiledFunctions(vm), "main only: its calls hand over to the interpreter");
        assertTrue(tier.failed(1), "the rows are left to the interpreter for good");
    }

    /**
     * Past the free classes, a class waits until the VM's runs have used enough fuel to pay for it
     * ({@link JitTier#FUEL_PER_CLASS}): with one free class and a price no run reaches, only main
     * is compiled, and its calls hand over; an explicit {@link Jit#precompile} pays no price.
     */
    @Test
    void classesPastTheFreeOnesWaitForTheRunsFuel() {
        Tiers.Outcome want = interpreted();
        Vm vm = Tiers.compile(SHARED, Host.NONE, new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
                JitTier.MAX_CLASSES, 1, Long.MAX_VALUE / 4), JitTier.hidden());
        JitTier tier = (JitTier) vm.tier;
        for (int k = 0; k < 3; k++) {
            Tiers.assertSame(want, run(vm), () -> "main(4), one free class");
            assertEquals(1, tier.classes(), "main only");
            assertEquals(1, Jit.compiledFunctions(vm));
            assertTrue(!tier.failed(1), "the rows are not refused for good, only not yet");
        }
        assertEquals(ROWS + 1, Jit.precompile(vm));
        assertEquals(2, tier.classes());
        Tiers.assertSame(want, run(vm), () -> "main(4), all compiled");
    }

    @Test
    void classesOverTheSizeOrTotalBudgetAreNotDefined() {
        Tiers.Outcome want = interpreted();
        // the sizes of main's class and the body's (220 divisions), from a scratch VM
        JitTier scratch = (JitTier) Jit.compile(SHARED, Host.NONE).tier;
        int mainBytes = JitTestAccess.generate(scratch.view, 0).bytes().length;
        int bodyBytes = JitTestAccess.generate(scratch.view, 1).bytes().length;
        assertTrue(mainBytes < bodyBytes, mainBytes + " vs " + bodyBytes);
        int limit = (mainBytes + bodyBytes) / 2;

        Vm small = Tiers.compile(SHARED, Host.NONE, new JitTier.Budget(limit, JitTier.MAX_TOTAL_BYTES, 100),
                JitTier.hidden());
        Tiers.assertSame(want, run(small), () -> "classes of at most " + limit + " bytes");
        JitTier tier = (JitTier) small.tier;
        assertEquals(1, Jit.compiledFunctions(small), "main only");
        assertEquals(mainBytes, tier.classBytes());

        Vm total = Tiers.compile(SHARED, Host.NONE, new JitTier.Budget(JitTier.MAX_CLASS_BYTES, limit, 100),
                JitTier.hidden());
        Tiers.assertSame(want, run(total), () -> limit + " bytes of classes in all");
        assertEquals(1, Jit.compiledFunctions(total), "main only");
        assertEquals(mainBytes, ((JitTier) total.tier).classBytes());
    }

    /** A definer that counts its calls and throws {@code error} for the class numbered {@code failAt} and after. */
    private static JitTier.Definer failing(AtomicInteger calls, int failAt, Throwable error) {
        return (bytes, links) -> {
            if (calls.incrementAndGet() >= failAt) {
                throw error;
            }
            return JitTier.hidden().define(bytes, links);
        };
    }

    @Test
    void errorsWhileDefiningAClassLeaveItsFunctionsToTheInterpreter() {
        Tiers.Outcome want = interpreted();
        List<Throwable> errors = List.of(new OutOfMemoryError("Metaspace"), new LinkageError("refused"),
                new ClassFormatError("bad class"), new VerifyError("bad code"), new IllegalStateException("bug"),
                new InternalError("vm"), new IllegalAccessException("no access"));
        for (Throwable error : errors) {
            for (int failAt : new int[] {1, 2}) {
                AtomicInteger calls = new AtomicInteger();
                Vm vm = Tiers.compile(SHARED, Host.NONE, JitTier.Budget.DEFAULT, failing(calls, failAt, error));
                for (int k = 0; k < 3; k++) {
                    Tiers.assertSame(want, run(vm), () -> error + " at class " + failAt);
                }
                assertEquals(failAt - 1, Jit.compiledFunctions(vm), error + " at class " + failAt);
                // a failed shape is not tried again (and after running out of memory, nothing is)
                assertEquals(failAt, calls.get(), error + " at class " + failAt + ": definer calls");
            }
        }
    }

    @Test
    void aStackOverflowWhileDefiningIsTriedAgainLater() {
        Tiers.Outcome want = interpreted();
        AtomicInteger calls = new AtomicInteger();
        JitTier.Definer flaky = (bytes, links) -> {
            if (calls.incrementAndGet() == 1) {
                throw new StackOverflowError();
            }
            return JitTier.hidden().define(bytes, links);
        };
        Vm vm = Tiers.compile(SHARED, Host.NONE, JitTier.Budget.DEFAULT, flaky);
        Tiers.assertSame(want, run(vm), () -> "first run, the entry's compile overflowed");
        assertEquals(0, Jit.compiledFunctions(vm));
        Tiers.assertSame(want, run(vm), () -> "second run");
        assertEquals(1 + SharedBlobPrograms.CALLED, Jit.compiledFunctions(vm));
    }

    /** Eight threads race to compile the same functions of one VM: every run ends as the interpreter's. */
    @Test
    void threadsCompilingAtOnceGetTheInterpretersOutcomes() throws Exception {
        Tiers.Outcome want = interpreted();
        for (int round = 0; round < 3; round++) {
            Vm vm = Jit.compile(SHARED, Host.NONE);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Tiers.Outcome>> got = new ArrayList<>();
                for (int k = 0; k < 16; k++) {
                    got.add(pool.submit(() -> run(vm)));
                }
                for (Future<Tiers.Outcome> f : got) {
                    Tiers.assertSame(want, f.get(), () -> "a racing run");
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(1 + SharedBlobPrograms.CALLED, Jit.compiledFunctions(vm));
            assertEquals(2, ((JitTier) vm.tier).classes(), "each shape defined once");
        }
    }

    @Test
    void theHiddenDefinerMakesAWorkingClass() throws Throwable {
        Vm vm = Jit.compile(SHARED, Host.NONE);
        JitTier tier = (JitTier) vm.tier;
        assertTrue(tier.compileNow(1));
        MethodHandle h = tier.handles[1];
        assertEquals(JitTier.TYPE, h.type());
        assertTrue(MethodHandles.lookup().revealDirect(h).getDeclaringClass().isHidden());
    }
}
