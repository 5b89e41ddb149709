package dev.tape.vm;

import dev.tape.TapeException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Eager and lazy linking of host imports ({@link Vm#Vm(VerifiedProgram, Host, VmOptions)}). */
class LinkingTest {
    static final String SOURCE = """
            program linking
            host add = "app.add" (i64, i64) -> (i64)
            host minmax = "app.minmax" (i64, i64) -> (i64, i64)
            host log = "app.log" (str) -> ()

            func main(a: i64, b: i64) -> (i64) {
                host_call r0, add, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }

            func both(a: i64, b: i64) -> (i64, i64) {
                host_call r0, minmax, r0, [r1, r2] -> [r3, r4]
                ret r0, [r3, r4]
            }
            """;

    static VerifiedProgram program() {
        return Verifier.verify(Assembler.assemble(SOURCE, "linking.tasm"));
    }

    /** app.add right, app.minmax with the wrong signature, app.log missing. */
    static HostRegistry partialHost() {
        return new HostRegistry()
                .registerLong("app.add", (a, b) -> a + b)
                .registerLong("app.minmax", (a, b) -> Math.min(a, b));
    }

    @Test
    void eagerLinkingListsEveryProblemInOneException() {
        LinkException e = assertThrows(LinkException.class, () -> new Vm(program(), partialHost()));
        assertEquals(2, e.problems().size());
        LinkException.Problem mismatch = e.problems().get(0);
        assertEquals("app.minmax", mismatch.symbol());
        assertEquals(LinkException.Reason.SIGNATURE_MISMATCH, mismatch.reason());
        assertEquals(List.of(Signature.of(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.I64))),
                mismatch.offered());
        LinkException.Problem missing = e.problems().get(1);
        assertEquals("app.log", missing.symbol());
        assertEquals(LinkException.Reason.MISSING, missing.reason());
        assertEquals("2 host imports do not link: app.minmax (i64, i64) -> (i64, i64): signature mismatch, the host "
                + "offers (i64, i64) -> (i64); app.log (str) -> (): the host does not provide it", e.getMessage());
        assertFalse(e.getMessage().contains("does not provide app.minmax"));
        assertTrue(e instanceof TapeException);
    }

    @Test
    void eagerLinkingIsTheDefaultOfTheCompiledTierToo() {
        // a VM that links everything is made; Host.NONE for a program with imports is refused
        assertThrows(LinkException.class, () -> new Vm(program(), Host.NONE));
        HostRegistry full = partialHost();
        full.register("app.minmax", Signature.of(List.of(ValueType.I64, ValueType.I64),
                List.of(ValueType.I64, ValueType.I64)), (HostFunction.Simple) a -> new Value[] {a[0], a[1]});
        full.registerConsumer("app.log", s -> { });
        Vm vm = new Vm(program(), full);
        assertEquals(List.of(Value.of(42)), vm.run(0, List.of(Value.of(40), Value.of(2)), Limits.DEFAULT));
    }

    @Test
    void aResolverThatThrowsIsReportedNotSwallowed() {
        IllegalStateException boom = new IllegalStateException("registry offline");
        Host throwing = (symbol, hash, args, rets) -> {
            throw boom;
        };
        LinkException e = assertThrows(LinkException.class, () -> new Vm(program(), throwing));
        assertEquals(3, e.problems().size());
        assertEquals(LinkException.Reason.RESOLVER_FAILED, e.problems().get(0).reason());
        assertSame(boom, e.problems().get(0).cause());
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("app.add (i64, i64) -> (i64): the host's resolver threw "
                + "IllegalStateException: registry offline"), e.getMessage());

        // lazy: the VM is made, and the call's trap says what the resolver threw
        Vm lazy = new Vm(program(), throwing, VmOptions.DEFAULT.withLazyLinking(true));
        Trap t = assertThrows(Trap.class, () -> lazy.run(0, List.of(Value.of(1), Value.of(2)), Limits.DEFAULT));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertTrue(t.detail().contains("registry offline"), t.detail());
    }

    @Test
    void lazyLinkingTrapsWhenCalledAndSaysWhy() {
        Vm vm = new Vm(program(), partialHost(), VmOptions.DEFAULT.withLazyLinking(true));
        // the import that links works
        assertEquals(List.of(Value.of(3)), vm.run(0, List.of(Value.of(1), Value.of(2)), Limits.DEFAULT));
        Trap t = assertThrows(Trap.class, () -> vm.run(1, List.of(Value.of(1), Value.of(2)), Limits.DEFAULT));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("app.minmax", t.hostSymbol());
        assertEquals("app.minmax (i64, i64) -> (i64, i64): signature mismatch, the host offers (i64, i64) -> (i64)",
                t.detail());
        // a missing function keeps the words it always had
        Vm none = new Vm(program(), Host.NONE, VmOptions.DEFAULT.withLazyLinking(true));
        Trap missing = assertThrows(Trap.class, () -> none.run(0, List.of(Value.of(1), Value.of(2)), Limits.DEFAULT));
        assertEquals("the host does not provide app.add", missing.detail());
    }

    @Test
    void optionsAreImmutable() {
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        assertTrue(lazy.lazyLinking());
        assertFalse(VmOptions.DEFAULT.lazyLinking());
        assertSame(lazy, lazy.withLazyLinking(true));
        assertThrows(IllegalArgumentException.class, () -> new Vm(program(), Host.NONE, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkException(List.of()));
    }

    @Test
    void aProgramWithoutImportsLinksAgainstNone() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble("func main() -> () {\n ret r0, []\n}\n", "x"));
        assertNull(new Vm(p, Host.NONE).hostProblems.length == 0 ? null : "problems");
    }

    /**
     * A 200,000-char symbol imported under over 1,000 signatures, none of which the host provides: the
     * problems refer to the program's symbol instead of copying it (the trap text was once built
     * per import at link time, imports times symbol length: 8,000 imports of a 1,000,000-char
     * symbol took 6 GB), a call traps with the whole text, and the eager exception's message
     * shows the symbol by its ends, a few KiB whatever its length.
     */
    @Test
    void aLongSymbolImportedManyTimesIsNotCopiedPerImport() {
        String symbol = "s".repeat(199_995) + "\u0085end\u202e";
        dev.tape.program.ProgramBuilder pb = new dev.tape.program.ProgramBuilder();
        List<ValueType> types = List.of(ValueType.I64, ValueType.U64, ValueType.F64, ValueType.BOOL, ValueType.STR,
                ValueType.BYTES, ValueType.DECIMAL, ValueType.AGG);
        int first = -1;
        for (int k = 0; k < 2_000; k++) {
            List<ValueType> args = List.of(types.get(k % 8), types.get(k / 8 % 8), types.get(k / 64 % 8),
                    types.get(k / 512 % 8));
            int sig = pb.hostSig(symbol, args.subList(0, 1 + k / 500), List.of());
            first = first < 0 ? sig : first;
        }
        pb.addFunction(List.of(ValueType.I64), List.of()).hostCall(0, first, 0, new int[] {1}, new int[0]).ret(0);
        VerifiedProgram p = Verifier.verify(pb.build());

        LinkException e = assertThrows(LinkException.class, () -> new Vm(p, Host.NONE));
        int imports = p.program().hostSigs().size();
        assertTrue(imports > 1_000, imports + " distinct imports");
        assertEquals(imports, e.problems().size());
        assertEquals(symbol.length(), e.problems().get(imports - 1).symbol().length());
        assertTrue(e.getMessage().length() < 8_000, "message of " + e.getMessage().length() + " chars");
        assertTrue(e.getMessage().contains("...(" + (symbol.length() - 2 * 116) + " chars)..."), e.getMessage().substring(0, 300));
        assertTrue(e.getMessage().contains("s\u0085end\u202e (i64) -> (): the host does not provide it"),
                e.getMessage().substring(0, 400));
        assertTrue(e.getMessage().endsWith("; and " + (imports - 16) + " more"), e.getMessage());

        Vm lazy = new Vm(p, Host.NONE, VmOptions.DEFAULT.withLazyLinking(true));
        for (LinkException.Problem problem : lazy.hostProblems) {
            assertSame(p.program().symbols().get(p.program().hostSigs().get(0).symbolId()), problem.symbol(),
                    "the program's symbol, not a copy");
        }
        Trap t = assertThrows(Trap.class, () -> lazy.run(0, List.of(Value.of(1)), Limits.DEFAULT));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("the host does not provide " + symbol, t.detail());
    }
}
