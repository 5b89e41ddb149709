package dev.tape.conformance;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tape.format.DecodeException;
import dev.tape.host.ConformanceHost;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code tape-conformance-v1} manifests ({@code conformance/README.md}): decodes, verifies and
 * runs each case with the {@link ConformanceHost}, and compares the outcome exactly with the
 * expectation: result values (f64 by bits), trap kind, function, pc and span, and the stage of a
 * rejection.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {}

    /**
     * The most chars of each returned value's literal kept in {@link ConformanceResult#actual()}; a
     * longer literal is cut and ends with {@link ValueLiteral#CUT_MARK}. Only the text is cut: results
     * are judged by value equality ({@link Object#equals(Object) equals} on {@link Value}), whatever
     * their size or depth.
     */
    public static final int SHOWN_CHARS = 1 << 16;

    /**
     * Reads a manifest.
     *
     * @param dir the folder holding {@code manifest.json} and the programs
     * @return its cases, in file order
     * @throws IOException when the manifest cannot be read or is malformed
     */
    public static List<ConformanceCase> load(Path dir) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        } catch (JsonProcessingException e) {
            // in our words: where, and the parser's reason without its source excerpt
            JsonLocation at = e.getLocation();
            throw new IOException("not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + firstSentence(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject() || !"tape-conformance-v1".equals(root.path("format").asText())) {
            throw new IOException("not a tape-conformance-v1 manifest (its \"format\" must be \"tape-conformance-v1\")");
        }
        if (!root.path("cases").isArray()) {
            throw new IOException("the manifest has no \"cases\" list");
        }
        List<ConformanceCase> out = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            List<String> args = new ArrayList<>();
            c.path("args").forEach(a -> args.add(a.asText()));
            JsonNode lim = c.path("limits");
            JsonNode e = c.path("expect");
            List<String> returns = null;
            if (e.has("returns")) {
                returns = new ArrayList<>();
                for (JsonNode v : e.get("returns")) {
                    returns.add(v.asText());
                }
            }
            Long span = span(e.get("span"), c.path("name").asText());
            ConformanceCase.Expect expect = new ConformanceCase.Expect(returns,
                    e.hasNonNull("trap") ? e.get("trap").asText() : null, e.path("func").asInt(), e.path("pc").asInt(),
                    span, e.hasNonNull("reject") ? e.get("reject").asText() : null,
                    e.hasNonNull("detail") ? e.get("detail").asText() : null);
            String name = c.path("name").asText();
            out.add(new ConformanceCase(name, c.path("program").asText(), c.path("entry").asInt(), args,
                    limits(lim, name), expect));
        }
        return out;
    }

    /**
     * The verifier of conformance runs: the reference's register bound per function, and no
     * analysis budget, which is this implementation's own (Java-only, like the heap and register
     * limits): the reference's verifier has none, so a program it accepts must verify here however
     * much analysis it takes.
     */
    static final Verifier REFERENCE_VERIFIER = new Verifier(Verifier.DEFAULT_MAX_REGS, Long.MAX_VALUE);

    /** The first sentence of a parser message, at most 200 characters, on one line. */
    private static String firstSentence(String message) {
        String m = message == null ? "malformed" : message.replaceAll("\\s+", " ").trim();
        int dot = m.indexOf(". ");
        if (dot > 0) {
            m = m.substring(0, dot);
        }
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    /** The largest unsigned 64-bit number. */
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * The reference's limits when a run names none ({@code impl Default for Limits} in its vm.rs):
     * the limits a case that leaves one out was run with, whatever this implementation's defaults.
     */
    private static final long REFERENCE_FUEL = 1_000_000L;
    private static final long REFERENCE_CALL_DEPTH = 256L;
    private static final long REFERENCE_HOST_CALLS = 1_000_000L;

    /**
     * A case's limits: the reference's three, unsigned (its defaults where the manifest leaves one
     * out), and the Java-only heap and register limits off unless the manifest names them.
     */
    private static Limits limits(JsonNode lim, String name) throws IOException {
        long fuel = unsigned(lim, "fuel", REFERENCE_FUEL, U64_MAX, name);
        long depth = unsigned(lim, "max_call_depth", REFERENCE_CALL_DEPTH, U64_MAX, name);
        long calls = unsigned(lim, "max_host_calls", REFERENCE_HOST_CALLS, U64_MAX, name);
        long heap = unsigned(lim, "max_heap_bytes", Long.MAX_VALUE, BigInteger.valueOf(Long.MAX_VALUE), name);
        long regs = unsigned(lim, "max_registers", Integer.MAX_VALUE, BigInteger.valueOf(Integer.MAX_VALUE), name);
        if (regs == 0) {
            throw new IOException("case " + name + ": limits.max_registers must be 1 or more");
        }
        return new Limits(fuel, depth, calls, heap, (int) regs);
    }

    private static long unsigned(JsonNode lim, String field, long absent, BigInteger max, String name)
            throws IOException {
        JsonNode n = lim.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isIntegralNumber() || n.bigIntegerValue().signum() < 0 || n.bigIntegerValue().compareTo(max) > 0) {
            throw new IOException("case " + name + ": limits." + field + " must be a whole number from 0 to " + max);
        }
        return n.bigIntegerValue().longValue();
    }

    /**
     * Reads an expected span: a JSON integer from 1 to 2^64-1 (span ids are unsigned 64-bit and
     * never 0), or {@code null} or absent for none.
     *
     * @return the id's 64 bits, or {@code null} for none
     * @throws IOException when the value is not such an integer
     */
    private static Long span(JsonNode s, String name) throws IOException {
        if (s == null || s.isNull()) {
            return null;
        }
        BigInteger v = s.isIntegralNumber() ? s.bigIntegerValue() : null;
        if (v == null || v.signum() <= 0 || v.bitLength() > 64) {
            throw new IOException("case " + name + ": expected span " + s + " is not a span id (an integer from 1 to "
                    + "18446744073709551615, or null)");
        }
        return v.longValue();
    }

    /**
     * Runs one case.
     *
     * @param dir the manifest's folder
     * @param c the case
     * @return the outcome
     */
    public static ConformanceResult run(Path dir, ConformanceCase c) {
        return run(dir, c, false);
    }

    /**
     * Runs one case on the interpreter or on the compiled tier ({@link Jit}).
     *
     * @param dir the manifest's folder
     * @param c the case
     * @param compiled whether the run executes compiled code
     * @return the outcome
     */
    public static ConformanceResult run(Path dir, ConformanceCase c, boolean compiled) {
        String actual;
        try {
            byte[] bytes = Files.readAllBytes(dir.resolve(c.program()));
            Program p;
            try {
                p = ProgramDecoder.decode(bytes);
            } catch (DecodeException e) {
                return judge(c, "reject decode (" + e.getMessage() + ")", "decode", null, null);
            }
            VerifiedProgram vp;
            try {
                vp = REFERENCE_VERIFIER.check(p);
            } catch (VerifyException e) {
                return judge(c, "reject verify (" + e.getMessage() + ")", "verify", null, null);
            }
            List<Value> args = new ArrayList<>();
            for (String a : c.args()) {
                args.add(ValueLiteral.parse(a));
            }
            Limits limits = c.limits();
            try {
                ConformanceHost host = new ConformanceHost();
                // lazy linking: the vectors expect a call of an import the host lacks to trap
                VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
                Vm vm = compiled ? Jit.compile(vp, host, lazy) : new Vm(vp, host, lazy);
                List<Value> out = vm.run(c.entry(), args, limits);
                StringBuilder b = new StringBuilder("returns [");
                for (int i = 0; i < out.size(); i++) {
                    b.append(i > 0 ? ", " : "").append(ValueLiteral.format(out.get(i), SHOWN_CHARS));
                }
                actual = b.append(']').toString();
                return judge(c, actual, null, out, null);
            } catch (Trap t) {
                actual = "trap " + t.label() + " func " + t.func() + " pc " + t.pc() + " span "
                        + (t.hasSpan() ? Long.toUnsignedString(t.span()) : "null");
                return judge(c, actual, null, null, t);
            }
        } catch (IOException | RuntimeException e) {
            return new ConformanceResult(c, false, "error " + e, "the runner failed: " + e);
        }
    }

    private static ConformanceResult judge(ConformanceCase c, String actual, String rejectStage, List<Value> out,
                                           Trap trap) {
        ConformanceCase.Expect e = c.expect();
        String why = null;
        if (e.reject() != null) {
            if (!e.reject().equals(rejectStage)) {
                why = "expected a " + e.reject() + " rejection (" + e.detail() + ")";
            }
        } else if (e.trap() != null) {
            if (trap == null) {
                why = "expected trap " + e.trap() + " at func " + e.func() + " pc " + e.pc();
            } else {
                // no span is Trap.NO_SPAN (0), which no span id equals
                long span = e.span() == null ? Trap.NO_SPAN : e.span();
                if (!trap.label().equals(e.trap()) || trap.func() != e.func() || trap.pc() != e.pc()
                        || trap.span() != span) {
                    why = "expected trap " + e.trap() + " func " + e.func() + " pc " + e.pc() + " span "
                            + (e.span() == null ? "null" : Long.toUnsignedString(e.span()));
                }
            }
        } else if (e.returns() != null) {
            if (out == null) {
                why = "expected returns " + e.returns();
            } else {
                List<Value> want = new ArrayList<>();
                for (String s : e.returns()) {
                    want.add(ValueLiteral.parse(s));
                }
                if (!want.equals(out)) {
                    why = "expected returns " + e.returns();
                }
            }
        } else {
            why = "the case has no expectation";
        }
        return new ConformanceResult(c, why == null, actual, why);
    }

    /**
     * Runs every case of a manifest.
     *
     * @param dir the manifest's folder
     * @return the outcomes, in manifest order
     * @throws IOException when the manifest cannot be read
     */
    public static List<ConformanceResult> runAll(Path dir) throws IOException {
        return runAll(dir, false);
    }

    /**
     * Runs every case of a manifest on the interpreter or on the compiled tier.
     *
     * @param dir the manifest's folder
     * @param compiled whether runs execute compiled code ({@link Jit})
     * @return the outcomes, in manifest order
     * @throws IOException when the manifest cannot be read
     */
    public static List<ConformanceResult> runAll(Path dir, boolean compiled) throws IOException {
        List<ConformanceResult> out = new ArrayList<>();
        for (ConformanceCase c : load(dir)) {
            out.add(run(dir, c, compiled));
        }
        return out;
    }
}
