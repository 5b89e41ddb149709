package dev.tape.debug;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;

import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Targets for the debugger's tests: a .tasm file, its entry and arguments, and a printing host. */
public final class TestTargets {
    private TestTargets() {}

    /** @return the path of a test resource of this package */
    public static Path resource(String name) {
        try {
            return Path.of(TestTargets.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The conformance host ({@code test.*} functions) counting the calls that reach it.
     *
     * @param calls incremented at each call
     */
    public static dev.tape.host.Host countingConformanceHost(java.util.concurrent.atomic.AtomicInteger calls) {
        return (symbol, hash, params, rets) -> {
            dev.tape.host.HostFunction fn = new dev.tape.host.ConformanceHost().resolve(symbol, hash, params, rets);
            return (in, out, ctx) -> {
                calls.incrementAndGet();
                fn.call(in, out, ctx);
            };
        };
    }

    /**
     * A target from {@code tape run}-style arguments: the file, then {@code --entry NAME},
     * {@code --arg LITERAL}, {@code --fuel N} and {@code --max-call-depth N}; the host has {@code std.print_i64}, printing to
     * {@code out}.
     */
    public static Target target(List<String> runArgs, PrintWriter out) throws DebugException {
        try {
            return load(runArgs, out);
        } catch (DebugException e) {
            throw e;
        } catch (Exception e) {
            throw new DebugException("launch: " + e.getMessage());
        }
    }

    private static Target load(List<String> runArgs, PrintWriter out) throws Exception {
        Path file = Path.of(runArgs.get(0));
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Assembler.Assembled a = Assembler.assembleWithLines(text, file.toString());
        List<Value> args = new ArrayList<>();
        String entry = null;
        long fuel = Limits.DEFAULT_FUEL;
        int depth = Limits.DEFAULT_CALL_DEPTH;
        for (int i = 1; i < runArgs.size(); i += 2) {
            String v = runArgs.get(i + 1);
            switch (runArgs.get(i)) {
                case "--arg" -> args.add(ValueLiteral.parse(v));
                case "--entry" -> entry = v;
                case "--fuel" -> fuel = Long.parseLong(v);
                case "--max-call-depth" -> depth = Integer.parseInt(v);
                default -> throw new DebugException("launch: unknown option " + runArgs.get(i));
            }
        }
        int id = entry == null ? 0 : a.program().functionId(entry);
        HostRegistry host = new HostRegistry();
        host.register("std.print_i64", Signature.of(List.of(ValueType.I64), List.of()), in -> {
            out.println(((Value.I64) in[0]).value());
            return new Value[0];
        });
        Limits limits = new Limits(fuel, depth, Limits.DEFAULT_HOST_CALLS, Limits.DEFAULT_HEAP_BYTES,
                Limits.DEFAULT_REGISTERS);
        return new Target(Verifier.verify(a.program()), file.toString(), text, a.lines(), id, args, limits, host);
    }
}
