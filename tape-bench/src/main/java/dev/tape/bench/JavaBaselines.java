package dev.tape.bench;

import java.util.function.LongUnaryOperator;

/**
 * Hand-written Java versions of the {@link Workload} programs: the same operations in the same
 * order, so the results are equal bit for bit (the f64 loop included).
 */
public final class JavaBaselines {
    /** The scale of {@link #decLoop}'s result: hundredths. */
    public static final int DEC_SCALE = 2;

    private JavaBaselines() {}

    /**
     * @param n the count
     * @return the sum of 0..n-1
     */
    public static long sumLoop(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc += i;
        }
        return acc;
    }

    /**
     * @param n the index
     * @return the n-th Fibonacci number, computed recursively
     */
    public static long fib(long n) {
        if (n < 2) {
            return n;
        }
        return fib(n - 1) + fib(n - 2);
    }

    static long addOne(long x) {
        return x + 1;
    }

    /**
     * @param n the count
     * @return n, after n calls of an add-one function
     */
    public static long callLoop(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc = addOne(acc);
        }
        return acc;
    }

    static long identity(long x) {
        return x;
    }

    /**
     * @param n the count
     * @return the sum of identity(i) for i in 0..n-1
     */
    public static long hostLoop(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc += identity(i);
        }
        return acc;
    }

    /**
     * @param n the count
     * @return the f64 loop's accumulator
     */
    public static double f64Loop(long n) {
        double acc = 0.0;
        for (long i = 0; i < n; i++) {
            double x = (double) i;
            double y = x * 0.5;
            double z = y + 1.5;
            double q = z / 1.5;
            double s = q - 0.5;
            acc = acc + s;
        }
        return acc;
    }

    private record Pair(long a, long b) {}

    /**
     * @param n the count
     * @return the sum of 0..n-1, each step through a 2-tuple
     */
    public static long tupleLoop(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            Pair p = new Pair(i, acc);
            acc = p.a() + p.b();
        }
        return acc;
    }

    /**
     * Java's strings are immutable like tape's, so {@link String#concat} and {@link String#substring}
     * copy as {@code str.concat} and {@code str.slice} do (the text is ASCII: lengths in chars are
     * lengths in UTF-8 bytes).
     *
     * @param n the count
     * @return 13 * n: the sum of the lengths of the 13-char strings the rounds build
     */
    public static long strLoop(long n) {
        String window = "hello world";
        long total = 0;
        for (long i = 0; i < n; i++) {
            String s = window.concat("ab");
            int len = s.length();
            window = s.substring(2, len);
            total += len;
        }
        return total;
    }

    /**
     * Appends by {@link String#concat}, each copying the string so far, as {@code str.concat} does
     * (not a {@code StringBuilder}, which would be different work).
     *
     * @param n the number of appends
     * @return the built string's length, 2 * n
     */
    public static long strBuild(long n) {
        String s = "";
        for (long i = 0; i < n; i++) {
            s = s.concat("ab");
        }
        return s.length();
    }

    /**
     * @param n the number of arrays
     * @return the sum of the elements of the n arrays {@code [i, i+1, ..., i+15]}
     */
    public static long arrayLoop(long n) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            long[] a = new long[16];
            long x = i;
            for (int k = 0; k < a.length; k++) {
                a[k] = x;
                x += 1;
            }
            for (int j = 0; j < a.length; j++) {
                total += a[j];
            }
        }
        return total;
    }

    /**
     * A lambda capturing a local is the Java form of a closure: called through its interface.
     *
     * @param n the count
     * @return the sum of (i + 3) for i in 0..n-1
     */
    public static long closureLoop(long n) {
        long captured = 3;
        LongUnaryOperator addEnv = x -> x + captured;
        long total = 0;
        for (long i = 0; i < n; i++) {
            total += addEnv.applyAsLong(i);
        }
        return total;
    }

    /**
     * Fixed-point decimals as a Java program keeps money: a {@code long} of hundredths, with the
     * overflow checks that make {@code dec.mul} and {@code dec.add} trap.
     *
     * @param n the count
     * @return the total of the lines 1.25 * i + 0.50, in hundredths (scale {@link #DEC_SCALE})
     * @throws ArithmeticException on overflow (not at the benchmark's n)
     */
    public static long decLoop(long n) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            long line = Math.addExact(Math.multiplyExact(125L, i), 50L);
            total = Math.addExact(total, line);
        }
        return total;
    }

    private record Order(long qty, long price, long tier) {}

    static long score(Order order) {
        long qty = order.qty();
        long score = qty * order.price();
        if (qty > 10) {
            score -= qty;
        }
        if (order.tier() == 3) {
            score += 100;
        }
        return score;
    }

    /**
     * @param n the count
     * @return the sum of the scores of the orders {@code (i & 15, i & 127, i & 3)}
     */
    public static long rules(long n) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            total += score(new Order(i & 15, i & 127, i & 3));
        }
        return total;
    }
}
