package dev.tape.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The value literal syntax shared by conformance manifests, command-line arguments and printed
 * results ({@code conformance/README.md}, "Value literals"):
 *
 * <pre>
 * unit   bool:true   i64:-5   u64:18446744073709551615   f64:0x3ff8000000000000 (or f64:1.5 on input)
 * dec:-1.50   str:"h\u00e9llo" (a JSON string)   bytes:00ff10   func:3   obj:TYPE/HANDLE
 * tuple(i64:1, bool:true)   struct#0(i64:7)   array#0(i64:1, i64:2)   closure:2(tuple(i64:100))
 * </pre>
 */
public final class ValueLiteral {
    private ValueLiteral() {}

    /** The deepest aggregate and closure nesting {@link #format(Value)} renders. */
    public static final int MAX_DEPTH = 1_000;
    /** The longest literal, in chars, {@link #format(Value)} makes (16 Mi). */
    public static final int MAX_LENGTH = 1 << 24;

    /** Thrown inside the formatter when the output would break a bound. */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * Formats a value; f64 as its 16 hex digits of bits, aggregates deeply.
     *
     * <p>A program can return aggregates that are cheap to build and huge to render: a chain
     * {@code t = (t)} a million deep, or a tuple that holds the same tuple twice at each of 60
     * levels (2^60 leaves). So this refuses values nested deeper than {@link #MAX_DEPTH} or whose
     * literal would exceed {@link #MAX_LENGTH} chars; {@link #format(Value, int)} truncates instead.
     *
     * @param v the value
     * @return the literal
     * @throws IllegalArgumentException when the value is nested too deeply or its literal is too long
     */
    public static String format(Value v) {
        StringBuilder b = new StringBuilder();
        try {
            format(v, b, 0, MAX_LENGTH);
        } catch (TooLarge e) {
            throw new IllegalArgumentException("value too large to format: " + e.getMessage());
        }
        return b.toString();
    }

    /**
     * Formats a value as {@link #format(Value)} does, but never fails on size: a literal longer
     * than {@code maxChars}, or nested deeper than {@link #MAX_DEPTH}, is cut there and ends with
     * {@code "..."}. For showing results a program chose (for example on a command line).
     *
     * @param v the value
     * @param maxChars the most chars to keep before the {@code "..."}, 0 or more
     * @return the literal, or its start followed by {@code "..."}
     */
    public static String format(Value v, int maxChars) {
        StringBuilder b = new StringBuilder();
        try {
            format(v, b, 0, Math.max(0, maxChars));
        } catch (TooLarge e) {
            b.setLength(Math.min(b.length(), Math.max(0, maxChars)));
            b.append("...");
        }
        return b.toString();
    }

    private static void format(Value v, StringBuilder b, int depth, int maxChars) {
        if (depth > MAX_DEPTH) {
            throw new TooLarge("nested more than " + MAX_DEPTH + " deep");
        }
        if (b.length() > maxChars) {
            throw new TooLarge("longer than " + maxChars + " chars");
        }
        if (v instanceof Value.Unit) {
            b.append("unit");
        } else if (v instanceof Value.Bool x) {
            b.append("bool:").append(x.value());
        } else if (v instanceof Value.I64 x) {
            b.append("i64:").append(x.value());
        } else if (v instanceof Value.U64 x) {
            b.append("u64:").append(Long.toUnsignedString(x.value()));
        } else if (v instanceof Value.F64 x) {
            b.append("f64:0x").append(String.format("%016x", x.bits()));
        } else if (v instanceof Value.Decimal x) {
            b.append("dec:").append(formatDecimal(x.mantissa(), x.scale()));
        } else if (v instanceof Value.Bytes x) {
            b.append("bytes:").append(HexFormat.of().formatHex(x.unsafeArray()));
        } else if (v instanceof Value.Str x) {
            b.append("str:");
            jsonString(x.value(), b);
        } else if (v instanceof Value.Obj x) {
            b.append("obj:").append(Long.toUnsignedString(x.hostType())).append('/')
                    .append(Long.toUnsignedString(x.handle()));
        } else if (v instanceof Value.Func x) {
            b.append("func:").append(x.id());
        } else if (v instanceof Value.Closure x) {
            b.append("closure:").append(x.func()).append('(');
            format(x.env(), b, depth + 1, maxChars);
            b.append(')');
        } else if (v instanceof Aggregate a) {
            switch (a.aggKind()) {
                case TUPLE -> b.append("tuple(");
                case STRUCT -> b.append("struct#").append(a.typeId()).append('(');
                case ARRAY -> b.append("array#").append(a.typeId()).append('(');
            }
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                format(a.get(i), b, depth + 1, maxChars);
            }
            b.append(')');
        }
        if (b.length() > maxChars) {
            throw new TooLarge("longer than " + maxChars + " chars");
        }
    }

    /**
     * @param mantissa a decimal's mantissa
     * @param scale its scale, 0 to 255
     * @return the plain decimal text, for example {@code -1.50}
     */
    public static String formatDecimal(long mantissa, int scale) {
        return new BigDecimal(BigInteger.valueOf(mantissa), scale).toPlainString();
    }

    private static void jsonString(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Parses one literal.
     *
     * @param text the literal
     * @return the value
     * @throws IllegalArgumentException when the text is not a literal, with the position and what
     *     was expected
     */
    public static Value parse(String text) {
        Parser p = new Parser(text);
        Value v = p.value();
        p.ws();
        if (p.i != text.length()) {
            throw p.err("unexpected text after the value");
        }
        return v;
    }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException err(String what) {
            return new IllegalArgumentException("bad value literal '" + s + "' at character " + i + ": " + what);
        }

        void ws() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }

        boolean take(String word) {
            if (s.startsWith(word, i)) {
                i += word.length();
                return true;
            }
            return false;
        }

        void expect(char c) {
            ws();
            if (i >= s.length() || s.charAt(i) != c) {
                throw err("expected '" + c + "'");
            }
            i++;
        }

        String token() {
            int start = i;
            while (i < s.length() && ",() ".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            if (start == i) {
                throw err("expected a number");
            }
            return s.substring(start, i);
        }

        int smallInt() {
            String t = token();
            try {
                int v = Integer.parseInt(t);
                if (v < 0) {
                    throw err("expected a non-negative id");
                }
                return v;
            } catch (NumberFormatException e) {
                throw err("expected an id, found '" + t + "'");
            }
        }

        long unsigned(String t) {
            try {
                return Long.parseUnsignedLong(t);
            } catch (NumberFormatException e) {
                throw err("expected an unsigned 64-bit integer, found '" + t + "'");
            }
        }

        List<Value> list() {
            expect('(');
            List<Value> out = new ArrayList<>();
            ws();
            if (i < s.length() && s.charAt(i) == ')') {
                i++;
                return out;
            }
            while (true) {
                out.add(value());
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                expect(')');
                return out;
            }
        }

        Value value() {
            ws();
            if (take("unit")) {
                return Value.UNIT;
            }
            if (take("bool:")) {
                if (take("true")) {
                    return Value.bool(true);
                }
                if (take("false")) {
                    return Value.bool(false);
                }
                throw err("expected true or false");
            }
            if (take("i64:")) {
                String t = token();
                try {
                    return Value.i64(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    throw err("expected a signed 64-bit integer, found '" + t + "'");
                }
            }
            if (take("u64:")) {
                return Value.u64(unsigned(token()));
            }
            if (take("f64:")) {
                return Value.f64Bits(f64(token()));
            }
            if (take("dec:")) {
                return decimal(token());
            }
            if (take("str:")) {
                return Value.str(jsonString());
            }
            if (take("bytes:")) {
                int start = i;
                while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) {
                    i++;
                }
                String hex = s.substring(start, i);
                if (hex.length() % 2 != 0) {
                    throw err("bytes need an even number of hex digits");
                }
                return Value.Bytes.wrap(HexFormat.of().parseHex(hex));
            }
            if (take("func:")) {
                return Value.func(smallInt());
            }
            if (take("obj:")) {
                String t = token();
                int slash = t.indexOf('/');
                if (slash < 0) {
                    throw err("expected obj:TYPE/HANDLE");
                }
                return new Value.Obj(unsigned(t.substring(0, slash)), unsigned(t.substring(slash + 1)));
            }
            if (take("closure:")) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (start == i) {
                    throw err("expected a function id");
                }
                int func = Integer.parseInt(s.substring(start, i));
                expect('(');
                Value env = value();
                expect(')');
                if (!(env instanceof Aggregate a)) {
                    throw err("a closure environment must be an aggregate");
                }
                return new Value.Closure(func, a);
            }
            if (take("tuple")) {
                return Aggregate.of(Aggregate.Kind.TUPLE, 0, list());
            }
            if (take("struct#")) {
                int id = idBeforeParen();
                return Aggregate.of(Aggregate.Kind.STRUCT, id, list());
            }
            if (take("array#")) {
                int id = idBeforeParen();
                return Aggregate.of(Aggregate.Kind.ARRAY, id, list());
            }
            throw err("expected a value such as i64:1, u64:2, f64:1.5, bool:true, str:\"x\", dec:1.25, bytes:00ff, "
                    + "unit, func:0, tuple(...)");
        }

        int idBeforeParen() {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw err("expected a type id");
            }
            try {
                return Integer.parseInt(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw err("type id too large");
            }
        }

        long f64(String t) {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                String hex = t.substring(2);
                if (hex.isEmpty() || hex.length() > 16) {
                    throw err("expected up to 16 hex digits of f64 bits");
                }
                try {
                    return Long.parseUnsignedLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw err("bad hex digits '" + hex + "'");
                }
            }
            switch (t) {
                case "nan", "NaN" -> {
                    return 0x7ff8000000000000L;
                }
                case "inf", "+inf", "Infinity" -> {
                    return Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
                }
                case "-inf", "-Infinity" -> {
                    return Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
                }
                default -> { }
            }
            if (!t.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?")) {
                throw err("expected an f64 (0x + 16 hex digits of bits, or a decimal number), found '" + t + "'");
            }
            return Double.doubleToRawLongBits(Double.parseDouble(t));
        }

        Value decimal(String t) {
            if (!t.matches("[+-]?\\d+(\\.\\d+)?")) {
                throw err("expected a decimal such as -1.50, found '" + t + "'");
            }
            BigDecimal d = new BigDecimal(t);
            int scale = Math.max(d.scale(), 0);
            if (scale > 255) {
                throw err("decimal scale above 255");
            }
            BigInteger m = d.unscaledValue();
            if (m.bitLength() > 63) {
                throw err("decimal mantissa does not fit in 64 bits");
            }
            return Value.decimal(m.longValue(), scale);
        }

        String jsonString() {
            if (i >= s.length() || s.charAt(i) != '"') {
                throw err("expected a JSON string in double quotes");
            }
            i++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw err("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw err("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw err("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw err("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw err("unknown escape \\" + e);
                }
            }
        }
    }
}
