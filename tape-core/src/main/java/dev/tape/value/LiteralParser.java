package dev.tape.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Parses one value literal ({@link ValueLiteral#parse}). Aggregates and closures open frames on an
 * explicit heap stack, so nesting is limited by the heap (a frame per open parenthesis), never by
 * the Java stack; every char of the text is looked at a bounded number of times.
 */
final class LiteralParser {
    /** How much of a bad literal an error message quotes. */
    private static final int QUOTED = 100;
    private static final int CLOSURE = 0;
    private static final int TUPLE = 1;
    private static final int STRUCT = 2;
    private static final int ARRAY = 3;

    private final String s;
    private int i;
    /** Open frames: their kind ({@link #CLOSURE} ... {@link #ARRAY}), id, and elements so far. */
    private int[] kinds = new int[8];
    private int[] ids = new int[8];
    private List<?>[] elems = new List<?>[8];
    private int depth;

    LiteralParser(String s) {
        this.s = s;
    }

    Value parse() {
        Value v = value();
        ws();
        if (i != s.length()) {
            throw err("unexpected text after the value");
        }
        return v;
    }

    /** Parses a value at {@code i}: a leaf, or an opener, its contents and its closing parenthesis. */
    private Value value() {
        while (true) {
            Value v = leafOrOpen();
            if (v == null && kinds[depth - 1] != CLOSURE) {
                ws();
                if (i < s.length() && s.charAt(i) == ')') {
                    i++;
                    v = close();
                }
            }
            if (v == null) {
                continue;
            }
            // a value is complete: hand it to the open frames until one needs another value
            while (true) {
                if (depth == 0) {
                    return v;
                }
                if (kinds[depth - 1] == CLOSURE) {
                    expect(')');
                    if (!(v instanceof Aggregate a)) {
                        throw err("a closure environment must be an aggregate");
                    }
                    int func = ids[--depth];
                    v = new Value.Closure(func, a);
                    continue;
                }
                @SuppressWarnings("unchecked")
                List<Value> list = (List<Value>) elems[depth - 1];
                list.add(v);
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    break;
                }
                expect(')');
                v = close();
            }
        }
    }

    private void open(int kind, int id) {
        if (depth == kinds.length) {
            kinds = Arrays.copyOf(kinds, depth * 2);
            ids = Arrays.copyOf(ids, depth * 2);
            elems = Arrays.copyOf(elems, depth * 2);
        }
        kinds[depth] = kind;
        ids[depth] = id;
        elems[depth] = kind == CLOSURE ? null : new ArrayList<Value>();
        depth++;
    }

    /** Pops the innermost (aggregate) frame and builds its aggregate. */
    private Value close() {
        depth--;
        @SuppressWarnings("unchecked")
        List<Value> list = (List<Value>) elems[depth];
        elems[depth] = null;
        Aggregate.Kind k = switch (kinds[depth]) {
            case TUPLE -> Aggregate.Kind.TUPLE;
            case STRUCT -> Aggregate.Kind.STRUCT;
            default -> Aggregate.Kind.ARRAY;
        };
        return Aggregate.of(k, ids[depth], list);
    }

    IllegalArgumentException err(String what) {
        String quoted = s.length() <= QUOTED ? s : s.substring(0, QUOTED) + "...";
        return new IllegalArgumentException("bad value literal '" + quoted + "' at character " + i + ": " + what);
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

    /**
     * Parses a leaf value, or the opener of an aggregate or closure (through its {@code '('}),
     * which pushes a frame.
     *
     * @return the leaf, or null when a frame was opened
     */
    private Value leafOrOpen() {
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
            while (i < s.length() && hexDigit(s.charAt(i)) >= 0) {
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
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (start == i) {
                throw err("expected a function id");
            }
            int func;
            try {
                func = Integer.parseInt(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw err("function id too large");
            }
            expect('(');
            open(CLOSURE, func);
            return null;
        }
        if (take("tuple")) {
            expect('(');
            open(TUPLE, 0);
            return null;
        }
        if (take("struct#")) {
            int id = idBeforeParen();
            expect('(');
            open(STRUCT, id);
            return null;
        }
        if (take("array#")) {
            int id = idBeforeParen();
            expect('(');
            open(ARRAY, id);
            return null;
        }
        throw err("expected a value such as i64:1, u64:2, f64:1.5, bool:true, str:\"x\", dec:1.25, bytes:00ff, "
                + "unit, func:0, tuple(...)");
    }

    /** @return the value of an ASCII hex digit, or -1 */
    private static int hexDigit(char c) {
        return c <= 'f' ? Character.digit(c, 16) : -1;
    }

    int idBeforeParen() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
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
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = i + k < s.length() ? hexDigit(s.charAt(i + k)) : -1;
                        if (d < 0) {
                            throw err(i + k < s.length() ? "bad \\u escape" : "short \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    b.append((char) code);
                    i += 4;
                }
                default -> throw err("unknown escape \\" + e);
            }
        }
    }
}
