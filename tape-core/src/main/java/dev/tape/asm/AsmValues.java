package dev.tape.asm;

import dev.tape.asm.Scanner.Pos;
import dev.tape.program.Constant;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** what {@link #integer} gives for more significant digits than any range read here holds */
    private static final BigInteger TOO_LARGE = BigInteger.ONE.shiftLeft(256);

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
        if (digits.isEmpty() || !Scanner.allDigits(digits)) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        BigInteger v = integer(digits, 10);
        if (v.bitLength() > 32) {
            throw s.error(p, "expected an index @0 to @4294967295, found '" + w + "'");
        }
        return v.longValue();
    }

    long unsigned(String w, Pos p, int bits, String what) throws AsmException {
        BigInteger v;
        if (w.startsWith("0x") || w.startsWith("0X")) {
            String h = w.substring(2);
            if (h.isEmpty() || !Scanner.allHex(h)) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = integer(h, 16);
        } else {
            if (w.isEmpty() || !Scanner.allDigits(w)) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = integer(w, 10);
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
        if (digits.isEmpty() || !(hex ? Scanner.allHex(digits) : Scanner.allDigits(digits))) {
            throw s.error(p, "expected a signed 64-bit integer " + where + ", found '" + w + "'");
        }
        v = integer(digits, hex ? 16 : 10);
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
        if (isHexBits(w)) {
            return Long.parseUnsignedLong(w.substring(2), 16);
        }
        if (isFloat(w)) {
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

    // The three literal shapes below are matched by hand, not with java.util.regex: a pattern
    // compiled in this class's static initialiser cost every assembly about 7 ms of a cold start
    // (the regex classes and the method-handle forms their lambdas spin), fib's included, which
    // has no f64 or dec literal. Digits are ASCII 0-9, as the patterns' \d.

    /**
     * Whether {@code w} is f64 bits: {@code 0x} or {@code 0X} and exactly 16 hex digits (the pattern
     * {@code 0[xX][0-9a-fA-F]{16}}).
     *
     * @param w a word
     * @return whether it has that shape
     */
    static boolean isHexBits(String w) {
        if (w.length() != 18 || w.charAt(0) != '0' || (w.charAt(1) != 'x' && w.charAt(1) != 'X')) {
            return false;
        }
        for (int i = 2; i < 18; i++) {
            if (!Scanner.isHex(w.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code w} is a decimal f64 (the pattern {@code [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?}):
     * an optional sign, digits with an optional point and fraction digits or a point and at least
     * one fraction digit, and an optional exponent with at least one digit.
     *
     * @param w a word
     * @return whether it has that shape
     */
    static boolean isFloat(String w) {
        int n = w.length();
        int i = 0;
        if (i < n && (w.charAt(i) == '+' || w.charAt(i) == '-')) {
            i++;
        }
        int whole = digitsAt(w, i);
        i += whole;
        int fraction = 0;
        if (i < n && w.charAt(i) == '.') {
            i++;
            fraction = digitsAt(w, i);
            i += fraction;
        }
        if (whole == 0 && fraction == 0) {
            return false;
        }
        if (i < n && (w.charAt(i) == 'e' || w.charAt(i) == 'E')) {
            i++;
            if (i < n && (w.charAt(i) == '+' || w.charAt(i) == '-')) {
                i++;
            }
            int exponent = digitsAt(w, i);
            if (exponent == 0) {
                return false;
            }
            i += exponent;
        }
        return i == n;
    }

    /**
     * Where the point of a {@code dec:} literal is (the pattern {@code [+-]?\d+(\.\d+)?}): an
     * optional sign, at least one digit, and optionally a point followed by at least one digit.
     *
     * @param v the literal's text after {@code dec:}
     * @return the index of its point, or its length when it has none; -1 when it has not that shape
     */
    static int decimalPoint(String v) {
        int n = v.length();
        int i = 0;
        if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) {
            i++;
        }
        int whole = digitsAt(v, i);
        if (whole == 0) {
            return -1;
        }
        i += whole;
        if (i == n) {
            return n;
        }
        if (v.charAt(i) != '.') {
            return -1;
        }
        int fraction = digitsAt(v, i + 1);
        return fraction > 0 && i + 1 + fraction == n ? i : -1;
    }

    /**
     * The value of a number's digits, for a caller that only compares it with ranges of at most 64
     * bits: more than 64 significant digits give 2^256 instead (BigInteger's parsing is quadratic in
     * the digits: a register or integer of a million digits took seconds, of ten million half an
     * hour), which is out of every such range as the value itself is.
     *
     * @param digits ASCII digits of {@code radix}, at least one
     * @param radix 10 or 16
     * @return their value, or 2^256 when it has more than 64 digits past the leading zeros
     */
    static BigInteger integer(String digits, int radix) {
        int zeros = 0;
        while (zeros < digits.length() && digits.charAt(zeros) == '0') {
            zeros++;
        }
        return digits.length() - zeros > 64 ? TOO_LARGE : new BigInteger(digits, radix);
    }

    /** the number of ASCII digits 0-9 in {@code w} from {@code from} on, up to the first other char */
    private static int digitsAt(String w, int from) {
        int i = from;
        while (i < w.length() && w.charAt(i) >= '0' && w.charAt(i) <= '9') {
            i++;
        }
        return i - from;
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
                int point = decimalPoint(v);
                if (point < 0) {
                    throw s.error(vp, "expected a decimal like -1.50 after dec:, found '" + v + "'");
                }
                boolean signed = v.charAt(0) == '+' || v.charAt(0) == '-';
                String frac = point < v.length() ? v.substring(point + 1) : "";
                if (frac.length() > 255) {
                    throw s.error(vp, "expected at most 255 digits after the point (the scale is a byte), found "
                            + frac.length());
                }
                BigInteger mant = integer(v.substring(signed ? 1 : 0, point) + frac, 10);
                if (v.charAt(0) == '-') {
                    mant = mant.negate();
                }
                if (mant.compareTo(I64_MIN) < 0 || mant.compareTo(I64_MAX) > 0) {
                    throw s.error(vp, "expected a decimal whose digits fit a signed 64-bit mantissa, found '" + v
                            + "', which is out of range");
                }
                return new Constant.Decimal(mant.longValue(), frac.length());
            }
            case "bytes" -> {
                if (v.length() % 2 != 0 || !Scanner.allHex(v)) {
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
        int max = Math.max(1, Math.min(3, w.length() / 3));
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, c, max);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= max ? " (did you mean '" + best + "'?)" : "";
    }

    /**
     * The edit distance of {@code a} and {@code b} when it is at most {@code max}, else
     * {@code max + 1}: only the table's cells within {@code max} of its diagonal, as a cell outside
     * is more than {@code max} (the whole table of two long names is the product of their lengths:
     * a misspelt label of 40,000 chars beside one of 40,000 took 3.3 s).
     *
     * @param max the largest distance that matters, 0 or more
     * @return the distance, or {@code max + 1} for any larger
     */
    private static int distance(String a, String b, int max) {
        int n = a.length();
        int m = b.length();
        int over = max + 1;
        if (Math.abs(n - m) > max) {
            return over;
        }
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prev[j] = Math.min(j, over);
        }
        for (int i = 1; i <= n; i++) {
            int lo = Math.max(1, i - max);
            int hi = Math.min(m, i + max);
            cur[lo - 1] = lo == 1 ? Math.min(i, over) : over;
            int least = cur[lo - 1];
            for (int j = lo; j <= hi; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(over, Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost));
                least = Math.min(least, cur[j]);
            }
            if (hi < m) {
                cur[hi + 1] = over;
            }
            if (least >= over) {
                return over;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[m];
    }
}
