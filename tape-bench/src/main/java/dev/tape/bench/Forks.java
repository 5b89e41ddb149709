package dev.tape.bench;

import java.util.Arrays;
import java.util.List;

/**
 * One benchmark's figure over several forks (JVMs): each fork's median of its measurement
 * iterations, then the median of those and their range. A JVM's interpreter runs in one of two modes
 * for its life (see {@link GeneralMode}), so iterations of one fork agree with each other more than
 * forks do, and the range of the fork medians shows whether the forks drew different modes.
 *
 * @param count the number of forks, 1 or more
 * @param median the median of the fork medians (the mean of the two middle ones for an even count),
 *     in the benchmark's unit
 * @param min the smallest fork median
 * @param max the largest fork median
 */
record Forks(int count, double median, double min, double max) {
    /**
     * @param perFork each fork's measurement iteration scores, at least one fork, each with at least
     *     one score
     * @return the forks' figure
     * @throws IllegalArgumentException when there is no fork or a fork has no score
     */
    static Forks of(List<double[]> perFork) {
        if (perFork.isEmpty()) {
            throw new IllegalArgumentException("no forks");
        }
        double[] medians = new double[perFork.size()];
        for (int i = 0; i < medians.length; i++) {
            medians[i] = median(perFork.get(i));
        }
        Arrays.sort(medians);
        return new Forks(medians.length, median(medians), medians[0], medians[medians.length - 1]);
    }

    /**
     * @param xs at least one value (not modified)
     * @return their median: the middle value, or the mean of the two middle ones for an even count
     * @throws IllegalArgumentException when {@code xs} is empty
     */
    static double median(double[] xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
