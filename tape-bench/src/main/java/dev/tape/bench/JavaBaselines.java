package dev.tape.bench;

/**
 * Hand-written Java versions of the {@link Workload} programs: the same operations in the same
 * order, so the results are equal bit for bit (the f64 loop included).
 */
public final class JavaBaselines {
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
}
