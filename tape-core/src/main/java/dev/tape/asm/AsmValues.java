package dev.tape.asm;

import dev.tape.asm.Scanner.Pos;
import dev.tape.program.Constant;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The assembler's readers of single values from a {@link Scanner}: words, {@code @N} indexes,
 * unsigned and signed integers, f64 literals, value literals ({@code i64:-5}, {@code str:"hi"} ...),
 * types and references by name or {@code @N}, each with the error message
 * {@code docs/ASSEMBLY.md}'s diagnostics use; and the "did you mean" suggestion for misspelt names.
 * Split out of {@link AsmParser}, which owns the declarations and resolves names.
 */
final class AsmValues {
    private static final String TYPES =
            "a type (unit, bool, i64, u64, f64, dec, bytes, str, agg, func, closure or obj<N>)";
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DECIMAL = Pattern.compile("([+-]?)(\\d+)(?:\\.(\\d+))?");
    private static final Pattern HEX_BITS = Pattern.compile("0[xX][0-9a-fA-F]{16}");
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final Scanner s;

    /** @param s the scanner every method reads from and reports positions of */
    AsmValues(Scanner s) {
        this.s = s;
    }

    /** @return the next word, which must not be empty */
    String word(String what) throws AsmException {
        if (!s.atWord()) {
            throw s.expected(what);
        }
        return s.word();
    }

    long index(String w, Pos p, String what) throws AsmException {
        String digits = w.substring(1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        BigInteger v = new BigInteger(digits);
        if (v.bitLength() > 32) {
            throw s.error(p, "expected an index @0 to @4294967295, found '" + w + "'");
        }
        return v.longValue();
    }

    long unsigned(String w, Pos p, int bits, String what) throws AsmException {
        BigInteger v;
        if (w.startsWith("0x") || w.startsWith("0X")) {
            String h = w.substring(2);
            if (h.isEmpty() || !h.chars().allMatch(Scanner::isHex)) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = new BigInteger(h, 16);
        } else {
            if (w.isEmpty() || !w.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = new BigInteger(w);
        }
        if (v.bitLength() > bits) {
            throw s.error(p, "expected " + what + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    long signed(String w, Pos p, String where) throws AsmException {
        String body = w.startsWith("-") || w.startsWith("+") ? w.substring(1) : w;
        boolean neg = w.startsWith("-");
        BigInteger v;
        boolean hex = body.startsWith("0x") || body.startsWith("0X");
        String digits = hex ? body.substring(2) : body;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> hex ? Scanner.isHex(c) : c >= '0' && c <= '9')) {
            throw s.error(p, "expected a signed 64-bit integer " + where + ", found '" + w + "'");
        }
        v = new BigInteger(digits, hex ? 16 : 10);
        if (hex && body.equals(w) && v.bitLength() <= 64) {
            return v.longValue();
        }
        if (neg) {
            v = v.negate();
        }
        if (v.compareTo(I64_MIN) < 0 || v.compareTo(I64_MAX) > 0) {
            throw s.error(p, "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) "
                    + where + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    long f64(String w, Pos p, String where) throws AsmException {
        switch (w) {
            case "inf", "+inf" -> {
                return Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
            }
            case "-inf" -> {
                return Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            }
            case "nan" -> {
                return Syntax.CANONICAL_NAN;
            }
            default -> { }
        }
        if (HEX_BITS.matcher(w).matches()) {
            return Long.parseUnsignedLong(w.substring(2), 16);
        }
        if (FLOAT.matcher(w).matches()) {
            double d = Double.parseDouble(w);
            if (Double.isInfinite(d)) {
                throw s.error(p, "expected a finite f64 " + where + " (write inf or -inf for infinity), found '"
                        + w + "', which is out of range");
            }
            return Double.doubleToRawLongBits(d);
        }
        throw s.error(p, "expected an f64 (like 1.5, -2e10, inf, nan or 16 hex digits of bits like"
                + " 0x3ff8000000000000) " + where + ", found '" + w + "'");
    }

    /** Parses a value literal: {@code unit}, {@code bool:true}, {@code i64:-5}, {@code str:"hi"} ... */
    Constant literal() throws AsmException {
        String what = "a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff or str:\"hi\")";
        Pos p = s.mark();
        if (!s.atWord()) {
            throw s.expected(what);
        }
        String w = s.word();
        if (w.equals("unit")) {
            return new Constant.Unit();
        }
        if (!s.acceptHere(':')) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        Pos vp = s.here();
        String v = w.equals("str") ? "" : s.wordHere();
        String lit = "after " + w + ":";
        switch (w) {
            case "bool" -> {
                if (v.equals("true") || v.equals("false")) {
                    return new Constant.Bool(v.equals("true"));
                }
                throw s.error(vp, "expected true or false after bool:, found '" + v + "'");
            }
            case "i64" -> {
                return new Constant.I64(signed(v, vp, lit));
            }
            case "u64" -> {
                return new Constant.U64(unsigned(v, vp, 64, "an unsigned 64-bit integer after u64:"));
            }
            case "f64" -> {
                return new Constant.F64(f64(v, vp, lit));
            }
            case "dec" -> {
                var m = DECIMAL.matcher(v);
                if (!m.matches()) {
                    throw s.error(vp, "expected a decimal like -1.50 after dec:, found '" + v + "'");
                }
                String frac = m.group(3) == null ? "" : m.group(3);
                if (frac.length() > 255) {
                    throw s.error(vp, "expected at most 255 digits after the point (the scale is a byte), found "
                            + frac.length());
                }
                BigInteger mant = new BigInteger(m.group(2) + frac);
                if (m.group(1).equals("-")) {
                    mant = mant.negate();
                }
                if (mant.compareTo(I64_MIN) < 0 || mant.compareTo(I64_MAX) > 0) {
                    throw s.error(vp, "expected a decimal whose digits fit a signed 64-bit mantissa, found '" + v
                            + "', which is out of range");
                }
                return new Constant.Decimal(mant.longValue(), frac.length());
            }
            case "bytes" -> {
                if (v.length() % 2 != 0 || !v.chars().allMatch(Scanner::isHex)) {
                    throw s.error(vp, "expected hex digits in pairs after bytes: (like bytes:00ff10), found '" + v
                            + "'");
                }
                byte[] b = new byte[v.length() / 2];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Integer.parseInt(v.substring(2 * i, 2 * i + 2), 16);
                }
                return new Constant.Bytes(b);
            }
            case "str" -> {
                if (s.peek() != '"') {
                    throw s.expected("a string in double quotes right after str:");
                }
                return new Constant.Str(s.string());
            }
            default -> throw s.error(p, "expected " + what + ", found '" + w + ":' (constants can only be unit,"
                    + " bool, i64, u64, f64, dec, bytes or str)");
        }
    }

    ValueType type() throws AsmException {
        Pos p = s.mark();
        if (!s.atWord()) {
            throw s.expected(TYPES);
        }
        String w = s.word();
        if (w.equals("obj")) {
            s.expect('<', "'<' and a host type id after obj");
            Pos hp = s.mark();
            long host = unsigned(word("a host type id"), hp, 64, "a host type id (an unsigned 64-bit number)");
            s.expect('>', "'>' after the host type id");
            return ValueType.obj(host);
        }
        ValueKind k = ValueKind.fromKeyword(w);
        if (k == null) {
            throw s.error(p, "expected " + TYPES + ", found '" + w + "'");
        }
        return ValueType.of(k);
    }

    List<ValueType> typeList(String what) throws AsmException {
        s.expect('(', "'(' to start the " + what + " types");
        List<ValueType> out = new ArrayList<>();
        s.skipWs();
        if (s.accept(')')) {
            return out;
        }
        while (true) {
            s.skipWs();
            out.add(type());
            s.skipWs();
            if (s.accept(')')) {
                return out;
            }
            s.expect(',', "',' or ')' in the " + what + " types");
        }
    }

    /**
     * A reference by name or {@code @N}, resolved after the whole source is read.
     *
     * @param w the word read
     * @param p where it is
     * @param what what the reference may be, for the error ({@code a struct name or @N})
     * @return the reference
     * @throws AsmException when {@code w} is neither an identifier nor a valid {@code @N}
     */
    AsmDecls.Ref ref(String w, Pos p, String what) throws AsmException {
        if (w.startsWith("@")) {
            return new AsmDecls.Ref(null, index(w, p, what), p);
        }
        if (!Syntax.isIdentifier(w)) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        return new AsmDecls.Ref(w, -1, p);
    }

    static String suggest(String w, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(1, Math.min(3, w.length() / 3)) ? " (did you mean '" + best + "'?)"
                : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
